import { UsageError } from "@baiengine/cli-kit/errors";
import type { RoleName } from "./role-keys.js";

/**
 * How long each role's metadata stays valid, and why (TUF spec 1.0 §2.1: the shorter a role's
 * expiry, the sooner a frozen or stale copy is noticed; the longer, the rarer its keys are needed).
 */
export const DEFAULT_EXPIRY: Record<RoleName, { days: number; why: string }> = {
  root: { days: 365, why: "root keys stay offline; re-signing it yearly is the reminder to check them" },
  targets: { days: 90, why: "re-signed at each release (`sign`); a registry that publishes nothing for a quarter signs again" },
  snapshot: { days: 7, why: "re-signed at each release, and by `trust timestamp` when it would expire within three days" },
  timestamp: { days: 1, why: "the scheduled workflow re-signs it every six hours, so a frozen or withheld registry is noticed within a day" },
};

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Parses `90d`, `12h`, `30m`, `45s` into seconds; throws UsageError. */
export function parseDuration(flag: string): (value: string) => number {
  return (value) => {
    const match = /^(\d+)([smhd])$/.exec(value.trim());
    const seconds = match ? Number(match[1]) * UNITS[match[2]!]! : 0;
    if (!match || seconds <= 0) throw new UsageError(`${flag} ${value} is not a duration`, "write a positive number with a unit: 90d, 12h, 30m");
    return seconds;
  };
}

/** The spec's expiry form: ISO 8601 UTC without fractional seconds (`2026-12-07T11:00:00Z`). */
export function expiresAt(now: Date, seconds: number): string {
  return new Date(Math.floor(now.getTime() / 1000) * 1000 + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Per-role expiry in seconds; roles not given take the defaults. */
export type ExpiryChoice = Partial<Record<RoleName, number>>;

export function expirySeconds(role: RoleName, choice: ExpiryChoice = {}): number {
  return choice[role] ?? DEFAULT_EXPIRY[role].days * 86_400;
}
