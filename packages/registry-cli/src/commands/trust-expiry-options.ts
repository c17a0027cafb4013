import type { ExpiryChoice } from "../trust/expiry.js";
import { ROLES } from "../trust/role-keys.js";

/** The `--<role>-expires` flags as seconds per role (commander has parsed each with parseDuration). */
export function expiryChoice(opts: Record<string, unknown>): ExpiryChoice {
  const choice: ExpiryChoice = {};
  for (const role of ROLES) {
    const value = opts[`${role}Expires`];
    if (typeof value === "number") choice[role] = value;
  }
  return choice;
}

/** The key sources of a signing command: `--keys-dir` and the BAIENGINE_TUF_<ROLE>_KEY variables. */
export function keySource(opts: { keysDir?: string }) {
  return { ...(opts.keysDir !== undefined ? { keysDir: opts.keysDir } : {}), env: process.env };
}
