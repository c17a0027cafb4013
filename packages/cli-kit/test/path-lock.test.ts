import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { lockPath } from "../src/system/index.js";
import { tempDirSync } from "@baiengine/test-kit";

const DIST = fileURLToPath(new URL("../dist/system/index.js", import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

const temp = () => tempDirSync("cli-kit-lock");

/** Another process that takes the lock (the built module, as a real installer would) and says so. */
function holder(file: string, staleMs: number): Promise<ChildProcess> {
  const script = `import { lockPath } from ${JSON.stringify(DIST)};
await lockPath(${JSON.stringify(file)}, { staleMs: ${staleMs}, timedOut: () => new Error("timeout") });
console.log("locked");
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("locked") && resolve(child));
    child.on("exit", (code) => reject(new Error(`holder exited with ${code}`)));
  });
}

const exited = (child: ChildProcess) => new Promise((resolve) => child.once("exit", resolve));
const HOUR_AHEAD = new Date(Date.now() + 3_600_000);

describe("the one path lock", () => {
  it("a lock whose holder on this host was killed is taken over at once, though its mtime is an hour in the future", async () => {
    const file = path.join(temp(), "engines.json");
    const child = await holder(file, 60_000);
    child.kill("SIGKILL");
    await exited(child);
    utimesSync(`${file}.lock`, HOUR_AHEAD, HOUR_AHEAD);
    const heard: string[] = [];
    // A heartbeat judgement would need 60 s: within 2 s only the dead process can explain the take-over.
    const release = await lockPath(file, { staleMs: 60_000, timeoutMs: 2_000, onTakeOver: (h, why) => heard.push(`${h}: ${why}`), timedOut: () => new Error("timed out") });
    expect(heard).toEqual([expect.stringMatching(new RegExp(`^process ${child.pid} on .*: process ${child.pid} has exited$`))]);
    await release();
    expect(await readdir(path.dirname(file))).toEqual([]);
  });

  it("another host's lock with a future mtime is judged by its heartbeat: waited for with a clear line, then taken over", async () => {
    const dir = temp();
    const file = path.join(dir, "engines.json");
    mkdirSync(`${file}.lock`);
    writeFileSync(`${file}.lock.owner`, JSON.stringify({ pid: 4242, host: "build-box-2", command: "engine-registry update", since: "2026-01-01T00:00:00Z" }));
    utimesSync(`${file}.lock`, HOUR_AHEAD, HOUR_AHEAD);
    const waits: string[] = [];
    const takeovers: string[] = [];
    const release = await lockPath(file, { staleMs: 2_000, timeoutMs: 30_000, onWait: (h) => waits.push(h), onTakeOver: (_h, why) => takeovers.push(why), timedOut: () => new Error("timed out") });
    expect(waits).toEqual([
      "process 4242 on build-box-2 (engine-registry update), since 2026-01-01T00:00:00Z; its lock is taken over if the process exits or its heartbeat stops for 2s",
    ]);
    expect(takeovers).toEqual([expect.stringMatching(/^its heartbeat did not change for \d+s$/)]);
    await release();
  });

  it("a live holder's heartbeat keeps its lock: the waiter times out naming it", async () => {
    const file = path.join(temp(), "engines.json");
    const child = await holder(file, 3_000);
    const error = await lockPath(file, { staleMs: 4_000, timeoutMs: 7_000, timedOut: (h, lock) => new Error(`${h} holds ${lock}`) }).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(new RegExp(`^process ${child.pid} on .* holds ${file.replace(/[.]/g, "\\.")}\\.lock$`));
  });
});
