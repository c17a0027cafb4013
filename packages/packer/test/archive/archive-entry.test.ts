import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalEntries, stagingEntries } from "../../src/archive/index.js";
import { stagePackage } from "./fixture.js";
import { tempDir } from "@baiengine/test-kit";

describe("canonicalEntries", () => {
  it("sorts by byte order, adds missing parent folders and normalises modes", () => {
    const entries = canonicalEntries([
      { path: "package/libs/libb.so", type: "file", source: "/b", executable: true },
      { path: "package/Zeta", type: "file", source: "/z" },
      { path: "package/lib-a/x.so", type: "file", source: "/x" },
      { path: "package/libs/liba.so.1", type: "symlink", target: "liba.so.1.2" },
    ]);
    expect(entries.map((entry) => [entry.path, entry.type, entry.mode.toString(8)])).toEqual([
      ["package", "directory", "755"],
      ["package/Zeta", "file", "644"],
      ["package/lib-a", "directory", "755"],
      ["package/lib-a/x.so", "file", "644"],
      ["package/libs", "directory", "755"],
      ["package/libs/liba.so.1", "symlink", "777"],
      ["package/libs/libb.so", "file", "755"],
    ]);
  });

  it("refuses paths that escape, repeat, lack a source or span two top-level folders", () => {
    expect(() => canonicalEntries([{ path: "package/../etc/passwd", type: "file", source: "/x" }])).toThrow(/"\.\."/);
    expect(() => canonicalEntries([{ path: "/package/x", type: "file", source: "/x" }])).toThrow(/relative/);
    expect(() =>
      canonicalEntries([
        { path: "package/x", type: "file", source: "/x" },
        { path: "package/x", type: "file", source: "/y" },
      ]),
    ).toThrow(/twice/);
    expect(() => canonicalEntries([{ path: "package/x", type: "file" }])).toThrow(/no source/);
    expect(() => canonicalEntries([{ path: "package/x", type: "symlink" }])).toThrow(/no target/);
    expect(() =>
      canonicalEntries([
        { path: "package/x", type: "file", source: "/x" },
        { path: "other/y", type: "file", source: "/y" },
      ]),
    ).toThrow(/one top-level folder/);
    expect(() =>
      canonicalEntries([
        { path: "package/x", type: "file", source: "/x" },
        { path: "package/x/y", type: "file", source: "/y" },
      ]),
    ).toThrow(/which is a file/);
  });
});

describe("stagingEntries", () => {
  let work: string;
  let staged: string;
  beforeAll(async () => {
    work = await tempDir("staging-entries");
    staged = await stagePackage(work, { mtime: new Date("2021-01-01T00:00:00Z"), fileMode: 0o600, execMode: 0o700 });
  });
  afterAll(async () => {
  });

  it("lists folders, files and symlinks under the prefix, sorted, with the exec bit from the mode", async () => {
    const entries = await stagingEntries(staged);
    expect(entries).toEqual([
      { path: "package", type: "directory" },
      { path: "package/LICENSE", type: "file", source: join(staged, "LICENSE"), executable: false },
      { path: "package/libs", type: "directory" },
      { path: "package/libs/libggml-base.so.0", type: "symlink", target: "libggml-base.so.0.5.0" },
      { path: "package/libs/libggml-base.so.0.5.0", type: "file", source: join(staged, "libs/libggml-base.so.0.5.0"), executable: false },
      { path: "package/libs/libggml-cpu-haswell.so", type: "file", source: join(staged, "libs/libggml-cpu-haswell.so"), executable: false },
      { path: "package/libs/nested", type: "directory" },
      { path: "package/libs/nested/empty.txt", type: "file", source: join(staged, "libs/nested/empty.txt"), executable: false },
      { path: "package/llama-server", type: "file", source: join(staged, "llama-server"), executable: true },
      { path: "package/manifest.json", type: "file", source: join(staged, "manifest.json"), executable: false },
    ]);
    expect((await stagingEntries(staged, "pkg"))[0]).toEqual({ path: "pkg", type: "directory" });
  });

  it("refuses a staging path that is not a folder", async () => {
    await expect(stagingEntries(join(staged, "LICENSE"))).rejects.toThrow(/not a folder/);
  });
});
