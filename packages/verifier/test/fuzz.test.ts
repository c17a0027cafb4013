import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractPackage, PackageRejectedError, verifyPackage } from "../src/index.js";
import { buildStaging, packWithNodeTar } from "./helpers/good-package.js";
import { gzip, PACKAGE_NAME } from "./helpers/tar-writer.js";
import { tempDirSync } from "@baiengine/test-kit";

const work = tempDirSync("verifier-fuzz");
const sandbox = join(work, "sandbox");
mkdirSync(sandbox);

const staging = buildStaging(join(work, "staging"));
const goodFile = join(work, "good.baiengine");
await packWithNodeTar(staging, goodFile);
const goodGz = readFileSync(goodFile);
const goodTar = gunzipSync(goodGz);

type Mutation = { kind: "flip"; at: number; xor: number } | { kind: "truncate"; at: number } | { kind: "insert"; at: number; bytes: Uint8Array } | { kind: "zero"; at: number; length: number };

const mutation = (size: number): fc.Arbitrary<Mutation> =>
  fc.oneof(
    fc.record({ kind: fc.constant("flip" as const), at: fc.nat(size - 1), xor: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat(size - 1) }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(size), bytes: fc.uint8Array({ minLength: 1, maxLength: 600 }) }),
    fc.record({ kind: fc.constant("zero" as const), at: fc.nat(size - 1), length: fc.integer({ min: 1, max: 1024 }) }),
  );

function apply(bytes: Buffer, mutations: Mutation[]): Buffer {
  let b = Buffer.from(bytes);
  for (const m of mutations) {
    const at = Math.min(m.at, Math.max(0, b.length - 1));
    if (m.kind === "flip") b[at] = b[at]! ^ m.xor;
    else if (m.kind === "truncate") b = b.subarray(0, at);
    else if (m.kind === "insert") b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    else if (b.length > 0) b.fill(0, at, Math.min(b.length, at + m.length));
  }
  return b;
}

/** Hundreds of verify + extract runs: minutes when the machine is shared by many test runs (the default 60 s timed out there). */
const FUZZ_TIMEOUT = 300_000;

let run = 0;
/** Verification and extraction of `bytes` must end in a clean report or findings: never a crash, a hang or a stray write. */
async function check(bytes: Buffer): Promise<void> {
  const dir = join(sandbox, String(run++));
  mkdirSync(dir);
  const file = join(dir, PACKAGE_NAME);
  writeFileSync(file, bytes);
  const deadline = <T>(p: Promise<T>) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("hang: no answer within 10 s")), 10_000))]);
  const report = await deadline(verifyPackage(file));
  expect(typeof report.ok).toBe("boolean");
  if (!report.ok) expect(report.findings.some((f) => f.severity === "error")).toBe(true);
  const dest = join(dir, "dest");
  try {
    const result = await deadline(extractPackage(file, dest));
    // Extraction and verification share the reader: they must agree.
    expect(report.ok).toBe(true);
    expect(result.report.ok).toBe(true);
  } catch (error) {
    if (!(error instanceof PackageRejectedError)) throw error;
    expect(report.ok).toBe(false);
    expect(existsSync(dest)).toBe(false);
  }
  // Nothing but the package file and (for accepted packages) dest may exist in the run's folder.
  expect(readdirSync(dir).filter((n) => n !== PACKAGE_NAME && n !== "dest")).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
}

describe("mutation fuzzing of a good package", () => {
  it("the unmutated package passes", async () => {
    await check(goodGz);
  });

  it("random byte flips, truncations, insertions and zeroed runs of the .baiengine file", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation(goodGz.length), { minLength: 1, maxLength: 4 }), async (ms) => check(apply(goodGz, ms))),
      { numRuns: 300 },
    );
  }, FUZZ_TIMEOUT);

  it("the same mutations of the tar stream, re-gzipped (reaches the tar reader and the rules)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation(goodTar.length), { minLength: 1, maxLength: 3 }), async (ms) => check(gzip(apply(goodTar, ms)))),
      { numRuns: 500 },
    );
  }, FUZZ_TIMEOUT);

  it("wrote nothing outside its sandbox", () => {
    expect(readdirSync(sandbox)).toEqual([]);
    expect(readdirSync(work).sort()).toEqual(["good.baiengine", "sandbox", "staging"]);
  });
});
