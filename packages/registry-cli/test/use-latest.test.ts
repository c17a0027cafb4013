import type { ActiveEntry, Manifest } from "@baiengine/schema";
import { describe, expect, it } from "vitest";
import { AcceleratorNotChosenError, NoLatestVersionError } from "../src/errors.js";
import type { PublishedVersion } from "../src/history/engine-history.js";
import type { InstalledEngine } from "../src/installed/engines-folder.js";
import { chooseLatest } from "../src/installed/use-plan.js";

// Pure data: which installed version `use <engine>@latest` takes is decided from names alone
// (installed-engines.test.ts runs the same rules through the CLI on real installs).
const installed = (version: string, accel: string): InstalledEngine => ({
  engineId: "llama-cpp",
  version,
  platform: `linux-x86_64-${accel}`,
  osArch: "linux-x86_64",
  dir: `/engines/llama-cpp/${version}/linux-x86_64-${accel}`,
  manifest: {} as Manifest,
  files: [],
});
const active = (version: string, accel: string): ActiveEntry => ({ version, platform: `linux-x86_64-${accel}`, pinned: true, previous: [], since: "2026-12-06T12:00:00Z", reason: "use" });
const yanked = (version: string): PublishedVersion => ({ version, channel: "stable", packages: [], yanked: { reason: "crashes", date: "2026-12-01" } });
const ask = { engineId: "llama-cpp", version: "latest", osArch: "linux-x86_64" };
const chosen = (r: { target: InstalledEngine }) => `${r.target.version} ${r.target.platform}`;

describe("use @latest: the newest installed version of the active platform folder kind", () => {
  it("stays on the active GPU folder kind though a CPU build is newer", () => {
    const r = chooseLatest([installed("b4700", "cpu"), installed("b4618", "cuda13"), installed("b4500", "cuda13")], active("b4500", "cuda13"), ask);
    expect(chosen(r)).toBe("b4618 linux-x86_64-cuda13");
    expect(r.notes).toEqual(["kept linux-x86_64-cuda13: b4700 linux-x86_64-cpu is newer but another platform folder (use llama-cpp@b4700 --accel cpu to switch)"]);
  });

  it("never falls back from an installed active GPU build to a CPU one: refused with the reasons", () => {
    const list = [installed("b4700", "cpu"), installed("b4618", "cuda13")];
    const run = () => chooseLatest(list, active("b4618", "cuda13"), { ...ask, published: [yanked("b4618")] });
    expect(run).toThrow(NoLatestVersionError);
    expect(run).toThrow("llama-cpp on linux-x86_64: no installed version to follow (passed over llama-cpp b4618: yanked in the index (crashes); passed over b4700 linux-x86_64-cpu: a cpu package does not replace the active GPU one (use llama-cpp@b4700 --accel cpu to switch))");
  });

  it("falls back to another GPU folder kind when none of the active one's is left, and says so", () => {
    const r = chooseLatest([installed("b4700", "cpu"), installed("b4618", "cuda13"), installed("b4500", "cuda12")], active("b4500", "cuda12"), { ...ask, published: [yanked("b4500")] });
    expect(chosen(r)).toBe("b4618 linux-x86_64-cuda13");
    expect(r.notes).toEqual([
      "passed over llama-cpp b4500: yanked in the index (crashes)",
      "passed over b4700 linux-x86_64-cpu: a cpu package does not replace the active GPU one (use llama-cpp@b4700 --accel cpu to switch)",
      "no other version of linux-x86_64-cuda12 to follow: switching to linux-x86_64-cuda13",
    ]);
  });

  it("an active GPU folder deleted by hand is replaced as an install's activation would, and said so", () => {
    const r = chooseLatest([installed("b4700", "cpu"), installed("b4500", "cpu")], active("b4618", "cuda13"), ask);
    expect(chosen(r)).toBe("b4700 linux-x86_64-cpu");
    expect(r.notes).toEqual(["the active b4618 linux-x86_64-cuda13 is no longer installed: linux-x86_64-cpu takes its place"]);
  });

  it("with nothing active and every installed version ruled out by the index, refused with the reasons", () => {
    expect(() => chooseLatest([installed("b4618", "cpu")], undefined, { ...ask, published: [yanked("b4618")] })).toThrow("llama-cpp on linux-x86_64: no installed version to follow (passed over llama-cpp b4618: yanked in the index (crashes))");
  });

  it("with nothing active, the newest version; several platform folders of it need --accel", () => {
    expect(() => chooseLatest([installed("b4700", "cpu"), installed("b4700", "vulkan")], undefined, ask)).toThrow(AcceleratorNotChosenError);
    expect(chosen(chooseLatest([installed("b4700", "cpu"), installed("b4700", "vulkan")], undefined, { ...ask, accel: "vulkan" }))).toBe("b4700 linux-x86_64-vulkan");
  });
});
