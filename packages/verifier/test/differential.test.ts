import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { hasErrors, listPackageEntries } from "../src/index.js";
import { buildCorpus } from "./helpers/corpus.js";
import { buildStaging, buildTinyStaging, packWithGnuTar, packWithNodeTar } from "./helpers/good-package.js";
import { differences, fromVerifier, listAll, loadPythonReader, READERS, requireReaders, saveForReplay } from "./helpers/readers.js";
import { archiveArbitrary } from "./helpers/tar-arbitrary.js";
import { PACKAGE_NAME } from "./helpers/tar-writer.js";
import { tempDirSync } from "@baiengine/test-kit";

/**
 * The property: for every archive the verifier accepts, GNU tar, bsdtar, Python's tarfile (with
 * its `data` filter) and node-tar list the same entries (names, types, sizes, modes, link targets) as
 * the verifier. Run over the good packages and BAIENGINE_DIFF_ARCHIVES (default
 * 2,000) fast-check archives. A disagreement fails with the archive saved under BAIENGINE_DIFF_SAVE
 * (default packages/verifier/.differential/); BAIENGINE_DIFF_REPLAY=<file> compares that one file again.
 * The hostile corpus is not compared here: the verifier refuses every case of it (corpus.test.ts),
 * so no reader's listing of it could be held against the verifier's.
 */

requireReaders();
const ARCHIVES = Number(process.env["BAIENGINE_DIFF_ARCHIVES"] ?? 2000);
const BATCH = 250;
const SAVE = process.env["BAIENGINE_DIFF_SAVE"] ?? join(dirname(fileURLToPath(import.meta.url)), "..", ".differential");
const REPLAY = process.env["BAIENGINE_DIFF_REPLAY"];

const work = tempDirSync("verifier-diff");
const staging = buildStaging(join(work, "staging"));
const tiny = buildTinyStaging(join(work, "tiny"));

interface Tally {
  tried: number;
  accepted: number;
  disagreements: string[];
  /** Milliseconds spent verifying and listing with the four readers. */
  verifyMs?: number;
  readersMs?: number;
}

let batches = 0;
/** Verifies each archive, lists the accepted ones with every reader, and returns the disagreements (each saved). */
async function compareBatch(archives: Buffer[], tally: Tally): Promise<string[]> {
  const dir = join(work, `batch-${batches++}`);
  mkdirSync(dir);
  const accepted: { file: string; bytes: Buffer; listed: ReturnType<typeof fromVerifier> }[] = [];
  const started = performance.now();
  for (const [i, bytes] of archives.entries()) {
    const file = join(dir, `${i}.tar.gz`);
    writeFileSync(file, bytes);
    const mine = await listPackageEntries(file, { expectedFilename: PACKAGE_NAME });
    tally.tried++;
    if (!hasErrors(mine.findings)) accepted.push({ file, bytes, listed: fromVerifier(mine.entries) });
  }
  tally.accepted += accepted.length;
  const verified = performance.now();
  const listings = accepted.length > 0 ? await listAll(accepted.map((a) => a.file)) : [];
  tally.verifyMs = (tally.verifyMs ?? 0) + (verified - started);
  tally.readersMs = (tally.readersMs ?? 0) + (performance.now() - verified);
  const problems: string[] = [];
  accepted.forEach((a, i) => {
    const byReader = READERS.map((r) => [r, differences(a.listed, listings[i]![r])] as const).filter(([, d]) => d.length > 0);
    if (byReader.length === 0) return;
    const name = createHash("sha256").update(a.bytes).digest("hex").slice(0, 16);
    mkdirSync(SAVE, { recursive: true });
    const saved = saveForReplay(SAVE, name, a.bytes, { verifier: a.listed, readers: listings[i], differences: Object.fromEntries(byReader) });
    problems.push(`${saved} (replay: BAIENGINE_DIFF_REPLAY=${saved} pnpm --filter @baiengine/verifier exec vitest run test/differential.test.ts): ${byReader.map(([r, d]) => `${r}: ${d.join("; ")}`).join(" | ")}`);
  });
  rmSync(dir, { recursive: true, force: true });
  tally.disagreements.push(...problems);
  return problems;
}

describe("differential: the verifier and GNU tar, bsdtar, Python tarfile, node-tar", () => {
  beforeAll(loadPythonReader);

  if (REPLAY) {
    it(`replays ${REPLAY}`, async () => {
      const tally: Tally = { tried: 0, accepted: 0, disagreements: [] };
      expect(await compareBatch([readFileSync(REPLAY)], tally)).toEqual([]);
    });
    return;
  }

  it("good packages from node-tar and GNU tar are accepted and listed alike by all", async () => {
    await packWithNodeTar(staging, join(work, "node.tar.gz"));
    packWithGnuTar(staging, join(work, "gnu.tar.gz"));
    const tally: Tally = { tried: 0, accepted: 0, disagreements: [] };
    expect(await compareBatch([readFileSync(join(work, "node.tar.gz")), readFileSync(join(work, "gnu.tar.gz"))], tally)).toEqual([]);
    expect(tally.accepted).toBe(2);
  });

  it("the symlink-with-data example really splits the readers: GNU tar lists the hidden link to /etc, Python does not", async () => {
    const example = buildCorpus(staging, join(work, "example")).find((c) => c.name.startsWith("symlink declaring 512 bytes"))!;
    const file = join(work, "example.tar.gz");
    writeFileSync(file, example.bytes);
    const [listing] = await listAll([file]);
    const hidden = { name: "package/libs/escape", type: "symlink", size: 0, mode: "0644", link: "/etc" };
    expect(listing!["gnu-tar"].entries).toContainEqual(hidden);
    expect(listing!.python.entries).not.toContainEqual(hidden);
    const mine = await listPackageEntries(file, { expectedFilename: PACKAGE_NAME });
    expect(mine.findings.map((f) => f.code)).toEqual(["TAR_DATA_ON_NON_FILE"]);
  });

  it(`${ARCHIVES} fast-check archives: every one the verifier accepts lists the same in all four readers`, { timeout: Math.max(120_000, ARCHIVES * 200) }, async () => {
    const tally: Tally = { tried: 0, accepted: 0, disagreements: [] };
    const seed = Number(process.env["BAIENGINE_DIFF_SEED"] ?? Date.now() % 2 ** 31);
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(fc.array(archiveArbitrary(tiny), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        expect(await compareBatch(batch, tally)).toEqual([]);
      }),
      { numRuns: Math.ceil(ARCHIVES / BATCH), seed, endOnFailure: true },
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.info(`differential: ${tally.tried} archives (seed ${seed}), ${tally.accepted} accepted and compared with 4 readers, ${tally.disagreements.length} disagreements, ${seconds} s (verifier ${((tally.verifyMs ?? 0) / 1000).toFixed(1)} s, readers ${((tally.readersMs ?? 0) / 1000).toFixed(1)} s, the rest generating)`);
    expect(tally.tried).toBeGreaterThanOrEqual(ARCHIVES);
    // The generator must keep enough archives acceptable for the comparison to matter.
    expect(tally.accepted).toBeGreaterThan(tally.tried / 5);
  });
});
