import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { loadPyodide } from "pyodide";
import * as tar from "tar";
import type { TarEntry } from "../../src/index.js";
import { tarArchive } from "./tar-writer.js";

/**
 * The four mainstream tar readers of the differential suite, each reduced to the facts every reader
 * must agree on (name, type, size, mode, link target). GNU tar and bsdtar list a whole batch in one
 * run: the batch's archives are concatenated with a marker archive between each, and read with
 * `--ignore-zeros` / `read_concatenated_archives`; a batch whose markers do not come back in order is
 * listed again one archive a run, so batching only ever saves time. Python's tarfile runs in Pyodide in this
 * process, as node-tar does.
 */

export interface Listed {
  name: string;
  type: string;
  size: number;
  /** Permission bits, octal. */
  mode: string;
  link: string;
}

export interface Listing {
  ok: boolean;
  entries: Listed[];
  /** Why the reader failed, or its warnings. */
  notes: string[];
}

export type ReaderName = "gnu-tar" | "bsdtar" | "python" | "node-tar";
export const READERS: ReaderName[] = ["gnu-tar", "bsdtar", "python", "node-tar"];

const ENV = { ...process.env, LC_ALL: "C.UTF-8", TZ: "UTC" };
const mark = (i: number) => `baiengine-batch-mark-${i}`;
const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, "0");
const stripSlash = (name: string, type: string) => (type === "directory" ? name.replace(/(.)\/+$/, "$1") : name);

/** The verifier's entries in the same terms. */
export function fromVerifier(entries: TarEntry[]): Listed[] {
  return entries.map((e) => ({
    name: e.path,
    type: ["file", "directory", "symlink", "hardlink"].includes(e.type) ? e.type : `other:${e.typeflag}`,
    size: e.type === "file" ? e.size : 0,
    mode: octal(e.mode),
    link: e.type === "symlink" || e.type === "hardlink" ? e.linkpath : "",
  }));
}

/** Checks the two reader commands are installed, with the install line when one is not (Python and node-tar are npm packages). */
export function requireReaders(): void {
  for (const [command, args, pkg] of [
    ["tar", ["--version"], "tar"],
    ["bsdtar", ["--version"], "libarchive-tools"],
  ] as const) {
    const run = spawnSync(command, args);
    if (run.error || run.status !== 0) throw new Error(`the differential suite needs ${command}: run bash scripts/setup.sh (Debian package ${pkg})`);
  }
}

function modeFromString(s: string): string {
  let mode = 0;
  const bits = [0o400, 0o200, 0o100, 0o40, 0o20, 0o10, 0o4, 0o2, 0o1];
  for (let i = 0; i < 9; i++) if (s[i] !== "-" && !"ST".includes(s[i]!)) mode |= bits[i]!;
  if ("sS".includes(s[2]!)) mode |= 0o4000;
  if ("sS".includes(s[5]!)) mode |= 0o2000;
  if ("tT".includes(s[8]!)) mode |= 0o1000;
  return octal(mode);
}

const TYPE_CHAR: Record<string, string> = { "-": "file", d: "directory", l: "symlink", h: "hardlink" };
// GNU tar: `-rw-r--r-- 0/0   3 2024-01-01 00:00 name`; bsdtar: `-rw-r--r--  0 0  0   3 Jan  1  2024 name`.
const GNU_LINE = /^(\S)(\S{9}) \S+\s+(\d+|\d+,\s*\d+) \S+ \S+ (.*)$/;
const BSD_LINE = /^(\S)(\S{9})\s+\d+\s+\S+\s+\S+\s+(\d+|\d+,\s*\d+) \w{3} [ \d]\d (?: \d{4}|\d\d:\d\d) (.*)$/;

function parseVerbose(line: string, reader: "gnu-tar" | "bsdtar"): Listed | null {
  const m = (reader === "gnu-tar" ? GNU_LINE : BSD_LINE).exec(line);
  if (!m) return null;
  const [, typeChar, modeText, size, rest] = m as unknown as [string, string, string, string, string];
  let type = TYPE_CHAR[typeChar] ?? `other:${typeChar}`;
  let name = rest;
  let link = "";
  const hard = rest.indexOf(" link to ");
  if (type === "symlink") [name, link] = splitOnce(rest, " -> ");
  else if (hard >= 0) {
    type = "hardlink";
    [name, link] = splitOnce(rest, " link to ");
  }
  return { name: stripSlash(name, type), type, size: type === "file" ? Number(size) : 0, mode: modeFromString(modeText), link };
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ""] : [s.slice(0, i), s.slice(i + sep.length)];
}

function runList(reader: "gnu-tar" | "bsdtar", input: Buffer): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const [command, args] =
    reader === "gnu-tar"
      ? ["tar", ["--numeric-owner", "--quoting-style=literal", "--ignore-zeros", "-tvzf", "-"]]
      : ["bsdtar", ["--numeric-owner", "--options", "read_concatenated_archives", "-tvf", "-"]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: ENV });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
    child.stdin.on("error", () => {});
    child.stdin.end(input);
  });
}

const markers = new Map<number, Buffer>();
function markerArchive(i: number): Buffer {
  let m = markers.get(i);
  if (!m) {
    m = gzipSync(tarArchive([{ name: mark(i), data: "" }]));
    markers.set(i, m);
  }
  return m;
}

/** Lists `files` with GNU tar or bsdtar: one run for the batch, one a file where the batch did not split cleanly. */
export async function listWithTool(reader: "gnu-tar" | "bsdtar", files: string[]): Promise<Listing[]> {
  const parts: Buffer[] = [];
  for (const [i, f] of files.entries()) parts.push(readFileSync(f), markerArchive(i));
  const batch = await runList(reader, Buffer.concat(parts));
  const split = batch.status === 0 ? splitBatch(batch.stdout, files.length, reader) : null;
  if (split) return split;
  return Promise.all(
    files.map(async (f) => {
      const one = await runList(reader, readFileSync(f));
      const entries = one.stdout.split("\n").filter(Boolean).map((l) => parseVerbose(l, reader) ?? { name: l, type: "unparsed", size: 0, mode: "", link: "" });
      return { ok: one.status === 0, entries, notes: one.stderr ? [one.stderr.trim()] : [] };
    }),
  );
}

function splitBatch(stdout: string, count: number, reader: "gnu-tar" | "bsdtar"): Listing[] | null {
  const out: Listing[] = [];
  let current: Listed[] = [];
  for (const line of stdout.split("\n")) {
    if (line === "") continue;
    const entry = parseVerbose(line, reader);
    if (!entry) return null;
    if (entry.name === mark(out.length) && entry.type === "file") {
      out.push({ ok: true, entries: current, notes: [] });
      current = [];
    } else if (entry.name.startsWith("baiengine-batch-mark-")) return null;
    else current.push(entry);
  }
  return out.length === count && current.length === 0 ? out : null;
}

interface PythonEntry {
  name: string;
  type: string;
  size: number;
  mode: number;
  link: string;
  filtered?: { name: string; mode: number | null; link: string };
  refused?: string;
}

const LISTER = join(dirname(fileURLToPath(import.meta.url)), "list_tar.py");
let pyodide: Promise<(path: string) => string> | undefined;
/**
 * list_tar.py's `listing_json`, loaded once into Pyodide (CPython compiled to WebAssembly: the npm package
 * carries the interpreter and the standard library, so nothing is fetched and the host's Python, which
 * on Debian 12 is 3.11.2 without `tarfile.data_filter`, plays no part).
 */
function pythonLister(): Promise<(path: string) => string> {
  pyodide ??= (async () => {
    const indexURL = `${dirname(createRequire(import.meta.url).resolve("pyodide/package.json"))}/`;
    const py = await loadPyodide({ indexURL, stdout: () => {}, stderr: () => {} });
    py.FS.mkdirTree("/baiengine/archives");
    py.FS.writeFile("/baiengine/list_tar.py", readFileSync(LISTER));
    py.runPython("import sys; sys.path.insert(0, '/baiengine')");
    const listingJson = py.pyimport("list_tar").listing_json as (path: string) => string;
    return (file: string) => {
      // The archive goes in as bytes: Pyodide's file system is its own, in memory.
      const inside = `/baiengine/archives/${basename(file)}`;
      py.FS.writeFile(inside, readFileSync(file));
      try {
        return listingJson(inside);
      } finally {
        py.FS.unlink(inside);
      }
    };
  })();
  return pyodide;
}

/** Starts Pyodide once, ahead of the first listing: a suite's set-up (beforeAll), not its first test, pays for it. */
export async function loadPythonReader(): Promise<void> {
  await pythonLister();
}

/** Lists `files` with Python's tarfile (in Pyodide, in this process); the `data` filter's refusals and changes are notes. */
export async function listWithPython(files: string[]): Promise<Listing[]> {
  const list = await pythonLister();
  return files.map((f) => fromPython(JSON.parse(list(f)) as { ok: boolean; entries?: PythonEntry[]; error?: string }));
}

function fromPython(result: { ok: boolean; entries?: PythonEntry[]; error?: string }): Listing {
  if (!result.ok) return { ok: false, entries: [], notes: [result.error ?? "failed"] };
  const notes: string[] = [];
  const entries = result.entries!.map((e) => {
    if (e.refused) notes.push(`data filter refuses ${e.name}: ${e.refused}`);
    else if (e.filtered && e.type === "file" && e.filtered.mode !== e.mode) notes.push(`data filter changes the mode of ${e.name} to ${octal(e.filtered.mode ?? 0)}`);
    // tarfile strips a directory's trailing "/" from header names but not from GNU long names (the same folder either way).
    return { name: stripSlash(e.name, e.type), type: e.type, size: e.type === "file" ? e.size : 0, mode: octal(e.mode), link: e.link };
  });
  return { ok: true, entries, notes };
}

const NODE_TYPES: Record<string, string> = { File: "file", Directory: "directory", SymbolicLink: "symlink", Link: "hardlink" };

/** Lists one file with node-tar (in this process); its warnings are notes. */
export function listWithNodeTar(file: string): Listing {
  const entries: Listed[] = [];
  const notes: string[] = [];
  try {
    tar.t({
      file,
      sync: true,
      onwarn: (code: string, message: string | Error) => notes.push(`${code}: ${message instanceof Error ? message.message : message}`),
      onReadEntry: (e) => {
        const type = NODE_TYPES[e.type] ?? `other:${e.header.type ?? e.type}`;
        entries.push({ name: stripSlash(e.path, type), type, size: type === "file" ? (e.size ?? 0) : 0, mode: octal(e.mode ?? 0), link: e.linkpath ?? "" });
      },
    });
  } catch (error) {
    return { ok: false, entries, notes: [...notes, (error as Error).message] };
  }
  return { ok: true, entries, notes };
}

/** Every reader's listing of each file; GNU tar and bsdtar run in their processes while node-tar and Python run in this one. */
export async function listAll(files: string[]): Promise<Record<ReaderName, Listing>[]> {
  const tools = Promise.all([listWithTool("gnu-tar", files), listWithTool("bsdtar", files)]);
  const node = files.map(listWithNodeTar);
  const py = await listWithPython(files);
  const [gnu, bsd] = await tools;
  return files.map((_, i) => ({ "gnu-tar": gnu[i]!, bsdtar: bsd[i]!, python: py[i]!, "node-tar": node[i]! }));
}

/** Where `listing` differs from the verifier's, in words; empty when they agree. */
export function differences(verifier: Listed[], listing: Listing): string[] {
  const out = listing.ok ? [] : [`the reader failed: ${listing.notes.join("; ")}`];
  if (listing.ok) out.push(...listing.notes);
  const n = Math.max(verifier.length, listing.entries.length);
  for (let i = 0; i < n; i++) {
    const a = JSON.stringify(verifier[i] ?? null);
    const b = JSON.stringify(listing.entries[i] ?? null);
    if (a !== b) out.push(`entry ${i}: verifier ${a}, reader ${b}`);
  }
  return out;
}

/** Saves `bytes` and what the readers said for replay; returns the path. */
export function saveForReplay(dir: string, name: string, bytes: Buffer, report: object): string {
  const file = join(dir, `${name}.tar.gz`);
  writeFileSync(file, bytes);
  writeFileSync(`${file}.json`, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
