import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { programVersion } from "../src/index.js";
import { tempDirSync } from "@baiengine/test-kit";

const dir = tempDirSync("cli-kit-command");
const kit = pathToFileURL(join(import.meta.dirname, "..", "dist", "index.js")).href;

describe("programVersion", () => {
  it("reads the version of the package that holds the module", () => {
    const own = (JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as { version: string }).version;
    expect(programVersion(import.meta.url)).toBe(own);
  });

  it("skips a package.json without a version (a dist folder's {type: module}) and finds the package's", () => {
    const root = join(dir, "tool");
    mkdirSync(join(root, "dist", "cli"), { recursive: true });
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: "tool", version: "9.8.7" }));
    writeFileSync(join(root, "dist", "package.json"), JSON.stringify({ type: "module" }));
    expect(programVersion(pathToFileURL(join(root, "dist", "cli", "tool.js")).href)).toBe("9.8.7");
  });
});

describe("withReporter", () => {
  /** Runs `body` with the kit in a node process whose stderr is a terminal (util-linux `script`), so the live bar is drawn. */
  function onTerminal(body: string) {
    const file = join(dir, `cli-${Math.random().toString(36).slice(2)}.mjs`);
    writeFileSync(file, `import * as kit from ${JSON.stringify(kit)};\n${body}\n`);
    const { CI: _ci, GITHUB_ACTIONS: _gha, ...env } = process.env;
    // A bar left running keeps its timer and the process alive: the kill turns that into a failure.
    return spawnSync("script", ["-qec", `${JSON.stringify(process.execPath)} ${JSON.stringify(file)}`, "/dev/null"], { encoding: "utf8", env, timeout: 20_000, killSignal: "SIGKILL" });
  }

  it("stops the live bar (showing the cursor again) when the work throws", () => {
    const run = onTerminal(`
      try {
        await kit.withReporter({}, async (r) => { r.progress("download", 5, 10); throw new Error("network gone"); });
      } catch (e) { process.stderr.write("caught " + e.message + "\\n"); }`);
    expect(run.status).toBe(0);
    const shown = run.stdout.lastIndexOf("\x1b[?25h");
    expect(run.stdout).toContain("\x1b[?25l");
    expect(shown).toBeGreaterThan(run.stdout.lastIndexOf("\x1b[?25l"));
    expect(shown).toBeLessThan(run.stdout.indexOf("caught network gone"));
  });

  it("returns the work's value", () => {
    expect(onTerminal(`process.stdout.write(String(await kit.withReporter({ json: true }, async () => 42)));`).stdout).toContain("42");
  });
});
