import { mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { readTestTools } from "../../../scripts/test-tools.js";
import { which } from "@baiengine/cli-kit/system";
import { tempDirSync } from "@baiengine/test-kit";

// scripts/test-tools.ts (every tool-using suite's globalSetup) and scripts/setup.sh, run for real
// with a PATH that has every command of scripts/test-tools.txt except pigz.
const repo = path.resolve(import.meta.dirname, "../../..");
const root = tempDirSync("test-tools");
const bin = path.join(root, "bin");
mkdirSync(bin);
for (const command of [...new Set(readTestTools().map((t) => t.command)), "node", "dirname", "id"]) {
  const found = which(command);
  if (command !== "pigz" && found) symlinkSync(found, path.join(bin, command));
}
const env = { PATH: bin, HOME: root, NO_COLOR: "1" };

describe("a missing test tool", () => {
  it("stops a suite before any test with one line naming the tool and the set-up command", async () => {
    const vitest = path.join(repo, "node_modules", "vitest", "vitest.mjs");
    // plan.test.ts would pass: only the globalSetup's check can fail this run.
    const r = await execa(process.execPath, [vitest, "run", "test/plan.test.ts"], { cwd: path.join(repo, "packages", "packer"), env, extendEnv: false, reject: false, all: true });
    expect(r.exitCode).toBe(1);
    const lines = r.all.split("\n").filter((l) => l.trim() !== "");
    expect(lines.filter((l) => /pigz|error|fail/i.test(l))).toEqual(["error: the packer tests need pigz (Debian package pigz), not found on PATH; run: bash scripts/setup.sh"]);
    expect(r.all).not.toMatch(/^\s+at /m);
    expect(r.all).not.toContain("Tests");
  });

  it("setup.sh --check lists it; setup.sh without apt-get says what to install and exits 1, installing nothing", async () => {
    const setup = (...args: string[]) => execa("/bin/bash", [path.join(repo, "scripts", "setup.sh"), ...args], { env, extendEnv: false, reject: false });
    const check = await setup("--check");
    expect([check.exitCode, check.stderr]).toEqual([1, "error: missing tools: pigz (Debian packages: pigz); run: bash scripts/setup.sh"]);
    const install = await setup();
    expect(install.exitCode).toBe(1);
    expect(install.stderr.split("\n").slice(0, 2)).toEqual(["error: missing tools: pigz (this is not a Debian/Ubuntu machine).", "  On Debian/Ubuntu, as root: apt-get install pigz"]);
    expect(install.stdout).toBe("");
  });
});
