import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { exists, runTool, sha256File, toolOutput } from "../src/system/index.js";
import { tempDirSync } from "@baiengine/test-kit";

const node = process.execPath;
const temp = () => tempDirSync("cli-kit-tools");

describe("runTool", () => {
  it("gives stdout of a tool that exits 0, and stdout then stderr as output", async () => {
    const run = await runTool(node, ["-e", "process.stdout.write('out'); process.stderr.write('err')"]);
    expect(run).toEqual({ stdout: "out", missing: false, output: "out\nerr", exitCode: 0 });
    expect(await toolOutput(node, ["-e", "console.log('v1.2')"])).toBe("v1.2\n");
  });

  it("gives null with the exit code and output of a tool that fails, never throwing", async () => {
    const run = await runTool(node, ["-e", "console.error('no driver'); process.exit(3)"]);
    expect(run).toMatchObject({ stdout: null, missing: false, exitCode: 3 });
    expect(run.output).toContain("no driver");
  });

  it("says when the tool is missing, and stops one that outlives its timeout", async () => {
    expect(await runTool("baiengine-no-such-tool", ["--version"])).toMatchObject({ stdout: null, missing: true, exitCode: "ENOENT" });
    const slow = await runTool(node, ["-e", "setTimeout(() => {}, 60_000)"], { timeoutMs: 200 });
    expect(slow).toMatchObject({ stdout: null, missing: false, exitCode: "SIGTERM" });
  });

  it("runs without a shell and with stdin closed", async () => {
    expect(await toolOutput(node, ["-e", "console.log(process.argv[1])", "$HOME;x"])).toBe("$HOME;x\n");
    expect(await toolOutput(node, ["-e", "process.stdin.resume(); process.stdin.on('end', () => console.log('eof'))"])).toBe("eof\n");
  });
});

describe("sha256File", () => {
  it("hashes a file's bytes as sha256sum does, and rejects a missing file", async () => {
    const dir = temp();
    const file = path.join(dir, "a.bin");
    writeFileSync(file, Buffer.alloc(3 << 20, 7));
    const expected = execFileSync("sha256sum", [file], { encoding: "utf8" }).split(" ")[0];
    expect(await sha256File(file)).toBe(expected);
    await expect(sha256File(path.join(dir, "missing"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("exists", () => {
  it("is true for a file, a folder and a dangling link; false for nothing and for a path under a file", async () => {
    const dir = temp();
    writeFileSync(path.join(dir, "file"), "x");
    mkdirSync(path.join(dir, "folder"));
    symlinkSync(path.join(dir, "nowhere"), path.join(dir, "dangling"));
    expect(await exists(path.join(dir, "file"))).toBe(true);
    expect(await exists(path.join(dir, "folder"))).toBe(true);
    expect(await exists(path.join(dir, "dangling"))).toBe(true);
    expect(await exists(path.join(dir, "nowhere"))).toBe(false);
    expect(await exists(path.join(dir, "file", "below"))).toBe(false);
  });
});
