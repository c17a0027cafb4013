import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { tempDir } from "@baiengine/test-kit";

const MiB = 1024 * 1024;

/** Array buffer MiB before and after, in a fresh process that leaves 24 MiB of dead buffers and then writes `bytes` (helpers/young-gc-probe.mjs). */
async function probe(mode: "pacer" | "pump", bytes: number): Promise<[number, number]> {
  const script = fileURLToPath(new URL("./helpers/young-gc-probe.mjs", import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [script, mode, String(bytes), join(await tempDir(), "body.part")], { encoding: "utf8" });
  return stdout.split(" ").map(Number) as [number, number];
}

// A download's socket reads are dead once written, and V8 left ~32 MB of them resident before it
// scavenged on its own: a third of a 276 MB install's peak memory (bench/install-bench.mjs).
describe("young-generation GC while writing a download", () => {
  it("the pacer frees dead buffers once a MiB was written, and not before", async () => {
    expect(await probe("pacer", MiB)).toEqual([24, 0]);
    expect(await probe("pacer", MiB - 1)).toEqual([24, 24]);
  });

  it("BodyPump paces its writes: a MiB of body written frees them", async () => {
    expect(await probe("pump", MiB)).toEqual([24, 0]);
    expect(await probe("pump", MiB - 1)).toEqual([24, 24]);
  });
});
