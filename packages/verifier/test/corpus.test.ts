import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { describeFinding, extractPackage, PackageRejectedError, verifyPackage } from "../src/index.js";
import { buildCorpus, type CorpusCase } from "./helpers/corpus.js";
import { buildStaging } from "./helpers/good-package.js";
import { PACKAGE_NAME } from "./helpers/tar-writer.js";
import { runCli, tempDirSync } from "@baiengine/test-kit";

const work = tempDirSync("verifier-corpus");
const cases: CorpusCase[] = buildCorpus(buildStaging(join(work, "staging")), join(work, "build"));
const files = new Map<CorpusCase, string>();

beforeAll(() => {
  cases.forEach((c, i) => {
    const dir = join(work, "files", String(i));
    mkdirSync(dir, { recursive: true });
    const file = join(dir, c.filename ?? PACKAGE_NAME);
    writeFileSync(file, c.bytes);
    files.set(c, file);
  });
});

describe("hostile and broken packages", () => {
  it("covers every rule group §1-§6", () => {
    expect(new Set(cases.map((c) => c.rule))).toEqual(new Set(["1", "2", "3", "4", "5", "6"]));
  });

  for (const c of cases) {
    it(`§${c.rule} ${c.name}: ${c.code}`, async () => {
      const file = files.get(c)!;
      const report = await verifyPackage(file, c.limits ? { limits: c.limits } : {});
      expect(report.ok).toBe(false);
      const hit = report.findings.find((f) => f.code === c.code);
      expect(hit, `findings were ${JSON.stringify(report.findings, null, 1)}`).toBeDefined();
      expect(hit!.severity).toBe("error");
      if (c.path !== undefined) expect(hit!.path).toBe(c.path);
      if (c.oneLine) expect(report.findings.map(describeFinding)).toEqual([describeFinding(hit!)]);

      // Extraction uses the same reader and rules: it refuses and leaves nothing behind.
      const dest = join(work, "out", String(cases.indexOf(c)));
      const error = await extractPackage(file, dest, c.limits ? { limits: c.limits } : {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PackageRejectedError);
      expect((error as PackageRejectedError).findings.map((f) => f.code)).toContain(c.code);
      expect(existsSync(dest)).toBe(false);
    });
  }

  it("the CLI exits 1 on every corpus file and names each finding", async () => {
    const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "bin", "verify-engine.js");
    const run = (args: string[]) => runCli(bin, ["--json", ...args]);
    const plain = cases.filter((c) => !c.limits);
    const all = await run(plain.map((c) => files.get(c)!));
    expect(all.code).toBe(1);
    expect(all.stderr).not.toMatch(/\n\s+at /);
    const reports = all.stdout.trim().split("\n").map((l) => JSON.parse(l) as { ok: boolean; findings: { code: string }[] });
    expect(reports).toHaveLength(plain.length);
    plain.forEach((c, i) => {
      expect(reports[i]!.ok, c.name).toBe(false);
      expect(reports[i]!.findings.map((f) => f.code), c.name).toContain(c.code);
    });
    for (const c of cases.filter((x) => x.limits)) {
      const flags = Object.entries(c.limits!).flatMap(([k, v]) => [`--${k.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`, String(v)]);
      const one = await run([...flags, files.get(c)!]);
      expect(one.code, c.name).toBe(1);
      expect(one.stdout).toContain(`"code":"${c.code}"`);
    }
  });

  it("wrote nothing outside the destinations", () => {
    expect(existsSync(join(work, "out")) ? readdirSync(join(work, "out")) : []).toEqual([]);
    expect(existsSync("/tmp/evil")).toBe(false);
  });
});

export { cases as corpusCases };
