import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { lstat, mkdir, readFile, readlink, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ArchiveEntry, stagingEntries, writeReproducibleArchive } from "../../src/archive/index.js";
import { run, stagePackage } from "./fixture.js";
import { tempDir } from "@baiengine/test-kit";

const MTIME = new Date("2025-03-04T05:06:07Z");
/** Small blocks so that the 2.5 MiB library spans dozens of parallel gzip blocks. */
const SMALL_BLOCKS = 64 * 1024;

let work: string;
let stagedA: string;
let stagedB: string;

beforeAll(async () => {
  work = await tempDir("archive-test");
  stagedA = await stagePackage(join(work, "a"), { mtime: new Date("2020-01-01T00:00:00Z"), fileMode: 0o644, execMode: 0o755, owner: 1234 });
  stagedB = await stagePackage(join(work, "b"), { mtime: new Date("2024-06-30T12:00:00Z"), fileMode: 0o600, execMode: 0o700 });
});

afterAll(async () => {
});

/** The raw ustar headers of an uncompressed tar: what archiver really wrote. */
function tarHeaders(tar: Buffer) {
  const octal = (block: Buffer, offset: number, length: number) => Number.parseInt(block.toString("latin1", offset, offset + length).replace(/\0.*$/, "").trim() || "0", 8);
  const headers = [];
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const block = tar.subarray(offset, offset + 512);
    if (block.every((byte) => byte === 0)) break;
    const size = octal(block, 124, 12);
    headers.push({ uid: octal(block, 108, 8), gid: octal(block, 116, 8), mtime: octal(block, 136, 12), names: block.subarray(265, 329) });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return headers;
}

async function pack(staged: string, name: string, options: { concurrency?: number; blockSize?: number; compressor?: "node" | "pigz" } = {}) {
  const out = join(work, name);
  const result = await writeReproducibleArchive(await stagingEntries(staged), out, { mtime: MTIME, ...options });
  return { out, result, bytes: await readFile(out) };
}

describe("writeReproducibleArchive", () => {
  it("gives byte-identical output for two runs, reporting the file's real size and sha256", async () => {
    const first = await pack(stagedA, "run1.baiengine", { blockSize: SMALL_BLOCKS });
    const second = await pack(stagedA, "run2.baiengine", { blockSize: SMALL_BLOCKS });
    expect(first.bytes.equals(second.bytes)).toBe(true);
    expect(first.result.size).toBe(first.bytes.length);
    expect(first.result.sha256).toBe(createHash("sha256").update(first.bytes).digest("hex"));
    expect(first.result.entries).toBe(10);
  });

  it("ignores the staging folders' mtimes, owners and umask", async () => {
    const a = await pack(stagedA, "a.baiengine");
    const b = await pack(stagedB, "b.baiengine");
    expect((await stat(join(stagedA, "LICENSE"))).mode & 0o777).not.toBe((await stat(join(stagedB, "LICENSE"))).mode & 0o777);
    expect(a.result.sha256).toBe(b.result.sha256);
    expect(a.bytes.equals(b.bytes)).toBe(true);
  });

  it("gives the same bytes whatever the concurrency", async () => {
    const one = await pack(stagedA, "c1.baiengine", { concurrency: 1, blockSize: SMALL_BLOCKS });
    const four = await pack(stagedA, "c4.baiengine", { concurrency: 4, blockSize: SMALL_BLOCKS });
    expect(one.bytes.equals(four.bytes)).toBe(true);
  });

  it("writes a gzip header with MTIME 0, no name and a fixed OS byte, and gzip accepts the stream", async () => {
    const { out, bytes, result } = await pack(stagedA, "header.baiengine", { blockSize: SMALL_BLOCKS });
    expect([...bytes.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
    const test = run("gzip", ["-t", out]);
    expect(test.stderr).toBe("");
    expect(test.status).toBe(0);
    // gzip -lN shows the name stored in the header; with none stored it shows the file's own name.
    const listing = run("gzip", ["-l", "-N", out]).stdout.toString().trim().split("\n");
    const [compressed, uncompressed, , name] = listing[1]!.trim().split(/\s+/);
    expect(Number(compressed)).toBe(result.size);
    expect(Number(uncompressed)).toBe(result.uncompressedSize);
    expect(name).toBe(out);
    const verbose = run("gzip", ["-l", "-v", out]).stdout.toString().split("\n")[1]!;
    expect(verbose).toMatch(/^defla [0-9a-f]{8} /);
  });

  it("lists sorted entries with owner 0/0, normalised modes and the given mtime in GNU tar", async () => {
    const { out } = await pack(stagedB, "list.baiengine");
    const tar = run("gunzip", ["-c", out]).stdout;
    const listing = run("tar", ["--numeric-owner", "--full-time", "-tvf", "-"], tar);
    expect(listing.status).toBe(0);
    const lines = listing.stdout.toString().trim().split("\n");
    const rows = lines.map((line) => {
      const [mode, owner, size, date, time, ...rest] = line.split(/\s+/);
      return { mode, owner, size: Number(size), when: `${date} ${time}`, name: rest.join(" ") };
    });
    expect(rows.map((row) => row.name)).toEqual([
      "package/",
      "package/LICENSE",
      "package/libs/",
      "package/libs/libggml-base.so.0 -> libggml-base.so.0.5.0",
      "package/libs/libggml-base.so.0.5.0",
      "package/libs/libggml-cpu-haswell.so",
      "package/libs/nested/",
      "package/libs/nested/empty.txt",
      "package/llama-server",
      "package/manifest.json",
    ]);
    for (const row of rows) {
      expect(row.owner).toBe("0/0");
      expect(row.when).toBe("2025-03-04 05:06:07");
    }
    const modes = Object.fromEntries(rows.map((row) => [row.name.split(" ")[0]!, row.mode]));
    expect(modes["package/"]).toBe("drwxr-xr-x");
    expect(modes["package/libs/nested/"]).toBe("drwxr-xr-x");
    expect(modes["package/llama-server"]).toBe("-rwxr-xr-x");
    expect(modes["package/LICENSE"]).toBe("-rw-r--r--");
    expect(modes["package/libs/libggml-base.so.0.5.0"]).toBe("-rw-r--r--");
    expect(modes["package/libs/libggml-base.so.0"]).toBe("lrwxrwxrwx");
    // Owner names are empty in the headers themselves (tar would otherwise show them).
    const named = run("tar", ["--full-time", "-tvf", "-"], tar).stdout.toString();
    expect(named.split("\n")[0]).toMatch(/^drwxr-xr-x 0\/0 /);
    const headers = tarHeaders(tar);
    expect(headers).toHaveLength(rows.length);
    for (const header of headers) {
      expect(header.uid).toBe(0);
      expect(header.gid).toBe(0);
      expect(header.names.every((byte) => byte === 0)).toBe(true);
      expect(header.mtime).toBe(MTIME.getTime() / 1000);
    }
  });

  it("round-trips every file's content exactly, across many blocks, empty files and symlinks", async () => {
    const { out } = await pack(stagedA, "roundtrip.baiengine", { blockSize: SMALL_BLOCKS, concurrency: 3 });
    const extracted = join(work, "extracted");
    await rm(extracted, { recursive: true, force: true });
    run("mkdir", ["-p", extracted]);
    const tar = run("gunzip", ["-c", out]).stdout;
    expect(run("tar", ["-xf", "-", "-C", extracted], tar).status).toBe(0);
    for (const file of ["llama-server", "LICENSE", "manifest.json", "libs/libggml-base.so.0.5.0", "libs/libggml-cpu-haswell.so", "libs/nested/empty.txt"]) {
      const original = await readFile(join(stagedA, file));
      const copy = await readFile(join(extracted, "package", file));
      expect(copy.equals(original), file).toBe(true);
    }
    expect((await stat(join(extracted, "package", "libs/libggml-base.so.0.5.0"))).size).toBeGreaterThan(30 * SMALL_BLOCKS);
    expect((await stat(join(extracted, "package", "libs/nested/empty.txt"))).size).toBe(0);
    expect((await lstat(join(extracted, "package", "libs/libggml-base.so.0"))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(extracted, "package", "libs/libggml-base.so.0"))).toBe("libggml-base.so.0.5.0");
  });

  it("keeps the sorted order for many files of mixed sizes, whatever order they are given in", async () => {
    const dir = join(work, "many");
    await mkdir(dir, { recursive: true });
    const entries: ArchiveEntry[] = [];
    for (let i = 0; i < 60; i++) {
      const source = join(dir, `f${i}`);
      await writeFile(source, Buffer.alloc(((i * 7919) % 50) * 1000, i));
      entries.push({ path: `package/d${i % 3}/lib${(i * 37) % 60}.so`, type: "file", source });
    }
    const out = join(work, "many.baiengine");
    await writeReproducibleArchive(entries, out, { mtime: MTIME });
    const names = run("tar", ["-tf", "-"], run("gunzip", ["-c", out]).stdout).stdout.toString().trim().split("\n");
    const expected = ["package/", ...[0, 1, 2].flatMap((d) => [`package/d${d}/`, ...entries.filter((e) => e.path.startsWith(`package/d${d}/`)).map((e) => e.path).sort()])];
    expect(names).toEqual(expected);
  });

  it("reports progress up to the tar's size", async () => {
    const seen: Array<[string, number, number | null]> = [];
    const out = join(work, "progress.baiengine");
    const result = await writeReproducibleArchive(await stagingEntries(stagedA), out, {
      mtime: MTIME,
      blockSize: SMALL_BLOCKS,
      compressor: "node",
      reporter: { progress: (phase, done, total) => seen.push([phase, done, total]) },
    });
    expect(seen.length).toBeGreaterThan(30);
    expect(seen.every(([phase, done, total]) => phase === "archive" && total !== null && done <= total)).toBe(true);
    expect(seen.at(-1)).toEqual(["archive", result.uncompressedSize, result.uncompressedSize]);
    const dones = seen.map(([, done]) => done);
    expect(dones).toEqual([...dones].sort((x, y) => x - y));
  });

  it("deletes the partial file when aborted midway", async () => {
    const out = join(work, "aborted.baiengine");
    const controller = new AbortController();
    const write = writeReproducibleArchive(await stagingEntries(stagedA), out, {
      mtime: MTIME,
      blockSize: SMALL_BLOCKS,
      concurrency: 1,
      signal: controller.signal,
      reporter: { progress: (_phase, done) => (done > 4 * SMALL_BLOCKS ? controller.abort() : undefined) },
    });
    await expect(write).rejects.toThrow(/abort/i);
    expect(existsSync(out)).toBe(false);
  });

  it("deletes the partial file when a source cannot be read, and writes nothing for an aborted signal", async () => {
    const out = join(work, "broken.baiengine");
    const entries = await stagingEntries(stagedA);
    entries.push({ path: "package/libs/zz-missing.so", type: "file", source: join(work, "missing.so") });
    await expect(writeReproducibleArchive(entries, out, { mtime: MTIME })).rejects.toThrow(/missing\.so/);
    expect(existsSync(out)).toBe(false);
    await expect(writeReproducibleArchive(entries, out, { mtime: MTIME, signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
    expect(existsSync(out)).toBe(false);
  });

  it("refuses an invalid mtime before writing anything", async () => {
    const out = join(work, "bad-mtime.baiengine");
    await expect(writeReproducibleArchive(await stagingEntries(stagedA), out, { mtime: new Date(Number.NaN) })).rejects.toThrow(/SOURCE_DATE_EPOCH/);
    expect(existsSync(out)).toBe(false);
  });

  describe.each(["node", "pigz"] as const)("with the %s compressor", (compressor) => {
    it("is byte-identical across runs and concurrency, and holds the same tar as the other compressor", async () => {
      const one = await pack(stagedA, `${compressor}-1.baiengine`, { compressor, concurrency: 1, blockSize: SMALL_BLOCKS });
      const four = await pack(stagedA, `${compressor}-4.baiengine`, { compressor, concurrency: 4, blockSize: SMALL_BLOCKS });
      expect(one.result.compressor).toBe(compressor);
      expect(one.bytes.equals(four.bytes)).toBe(true);
      expect(one.bytes.subarray(0, 10).toString("hex")).toBe("1f8b0800000000000003");
      const other = await pack(stagedA, `${compressor}-other.baiengine`, { compressor: compressor === "node" ? "pigz" : "node", blockSize: SMALL_BLOCKS });
      expect(run("gunzip", ["-c", one.out]).stdout.equals(run("gunzip", ["-c", other.out]).stdout)).toBe(true);
    });
  });

  it("picks pigz when it is installed", async () => {
    const auto = await pack(stagedA, "auto.baiengine");
    expect(auto.result.compressor).toBe("pigz");
  });
});

