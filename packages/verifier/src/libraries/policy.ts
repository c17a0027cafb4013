import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
// The errors subpath keeps commander and cli-progress out of library imports.
import { FailureError } from "@baiengine/cli-kit/errors";
import { formatIssues, type Os, parseJsonDocument } from "@baiengine/schema";
import { z } from "zod";

const LibraryNames = z.array(z.string().min(1));

/** What a target OS provides (policy/<os>.json). Names may end in `*` (any suffix). */
export const LibraryPolicy = z.strictObject({
  $comment: z.string().optional(),
  os: z.enum(["linux", "macos", "windows"]),
  /** Windows: names compare case-insensitively. */
  caseInsensitive: z.boolean(),
  /** On every target machine. */
  system: LibraryNames,
  /** Absolute install locations on every target machine (macOS: /usr/lib/, /System/). */
  systemPrefixes: z.array(z.string().startsWith("/")),
  /** Installed with the GPU driver: may be required, never bundled. */
  drivers: LibraryNames,
  /** GPU runtimes: bundled, or declared as a requirement the user must meet. */
  runtimes: LibraryNames,
});
export type LibraryPolicy = z.infer<typeof LibraryPolicy>;

/** How the policy classes a library name; null when it names none of its lists. */
export type PolicyClass = "system" | "driver" | "runtime";

/** A policy file that does not hold a valid policy: a packaging bug of the verifier, reported in one line. */
export class PolicyError extends FailureError {}

const policies = new Map<Os, LibraryPolicy>();

/**
 * The library policy of `os`, read from policy/<os>.json and validated (as auditwheel validates
 * its policy file) on first use. Throws PolicyError naming the file and the first bad field.
 */
export function loadLibraryPolicy(os: Os): LibraryPolicy {
  let policy = policies.get(os);
  if (!policy) {
    // policy/ sits beside src/ and dist/, so the same relative URL works from sources and from the build.
    const file = fileURLToPath(new URL(`../../policy/${os}.json`, import.meta.url));
    policy = parseLibraryPolicy(readFileSync(file, "utf8"), file);
    if (policy.os !== os) throw new PolicyError(`${file}: os is ${policy.os}, expected ${os}`, "each policy file describes the OS it is named after");
    policies.set(os, policy);
  }
  return policy;
}

/** Parses and validates a policy document; `source` names it in errors. Throws PolicyError. */
export function parseLibraryPolicy(text: string, source: string): LibraryPolicy {
  const parsed = parseJsonDocument(text, (json) => {
    const r = LibraryPolicy.safeParse(json);
    return r.success ? { ok: true as const, value: r.data } : { ok: false as const, issues: formatIssues(r.error) };
  });
  if (!parsed.ok) throw new PolicyError(`${source}: ${parsed.issues[0]}`, "fix the library policy file");
  const policy = parsed.value;
  const overlap = policy.system.filter((n) => policy.drivers.includes(n) || policy.runtimes.includes(n));
  if (overlap.length > 0) throw new PolicyError(`${source}: ${overlap.join(", ")} listed as system and as driver or runtime`, "a name may be in one list only");
  return policy;
}

/** Classes names by a policy: exact names, or a prefix when the entry ends in `*`; case-folded where the policy says so. */
export function policyMatcher(policy: LibraryPolicy): (name: string) => PolicyClass | null {
  const fold = (s: string) => (policy.caseInsensitive ? s.toLowerCase() : s);
  const test = (patterns: string[]) => {
    const exact = new Set(patterns.filter((p) => !p.includes("*")).map(fold));
    const globs = patterns.filter((p) => p.includes("*")).map((p) => new RegExp(`^${fold(p).split("*").map(escapeRegExp).join(".*")}$`));
    return (name: string) => exact.has(fold(name)) || globs.some((g) => g.test(fold(name)));
  };
  const system = test(policy.system);
  const driver = test(policy.drivers);
  const runtime = test(policy.runtimes);
  return (name) => (system(name) ? "system" : driver(name) ? "driver" : runtime(name) ? "runtime" : null);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
