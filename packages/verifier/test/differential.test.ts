import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { TarEntry } from "../src/index.js";
import { listPackageEntries } from "../src/index.js";
import { buildCorpus } from "./helpers/corpus.js";
import { buildStaging, packWithGnuTar, packWithNodeTar } from "./helpers/good-package.js";
import { PACKAGE_NAME } from "./helpers/tar-writer.js";

/** What `tar -tvzf` prints, reduced to the facts both readers must agree on. */
interface Listed {
  type: string;
  mode: string;
  size: string;
  name: string;
  link: string;
}

const TYPE_CHAR: Record<TarEntry["type"], string> = {
  file: "-",
  directory: "d",
  symlink: "l",
  hardlink: "h",
  "character-device": "c",
  "block-device": "b",
  fifo: "p",
  // GNU tar lists types it does not know (and GNU sparse files) as regular files.
  unsupported: "-",
};

function modeString(mode: number): string {
  const rwx = (bits: number, special: boolean, char: string) =>
    `${bits & 4 ? "r" : "-"}${bits & 2 ? "w" : "-"}${special ? (bits & 1 ? char : char.toUpperCase()) : bits & 1 ? "x" : "-"}`;
  return rwx(mode >> 6, Boolean(mode & 0o4000), "s") + rwx(mode >> 3, Boolean(mode & 0o2000), "s") + rwx(mode, Boolean(mode & 0o1000), "t");
}

function ours(entries: TarEntry[]): Listed[] {
  return entries.map((e) => ({
    type: TYPE_CHAR[e.type],
    mode: modeString(e.mode),
    size: e.type === "file" || e.type === "unsupported" ? String(e.size) : "",
    name: e.path,
    link: e.type === "symlink" || e.type === "hardlink" ? e.linkpath : "",
  }));
}

const LINE = /^(\S)(\S{9}) \S+\s+(\d+|\d+,\s*\d+) \d{4}-\d\d-\d\d \d\d:\d\d (.*)$/;

function gnuList(file: string): { ok: boolean; entries: Listed[]; stderr: string } {
  const run = spawnSync("tar", ["--absolute-names", "--quoting-style=literal", "--numeric-owner", "-tvzf", file], {
    env: { ...process.env, LC_ALL: "C.UTF-8", TZ: "UTC" },
    maxBuffer: 64 << 20,
  });
  if (run.error) throw new Error(`GNU tar is needed for the differential test: ${run.error.message}`);
  const entries: Listed[] = [];
  // Names that are not UTF-8 are compared as latin-1, which is how our reader reports them.
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const lines = splitLines(run.stdout).map((b) => {
    try {
      return utf8.decode(b);
    } catch {
      return b.toString("latin1");
    }
  });
  for (const line of lines) {
    if (line === "") continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`unexpected tar -tv line: ${JSON.stringify(line)}`);
    const [, type, mode, size, rest] = m as unknown as [string, string, string, string, string];
    let name = rest;
    let link = "";
    if (type === "l") [name, link] = splitOnce(rest, " -> ");
    else if (type === "h") [name, link] = splitOnce(rest, " link to ");
    if (type === "d") name = name.replace(/\/+$/, "");
    entries.push({ type: type === "-" && / link to /.test(rest) ? "h" : type, mode, size: type === "-" ? size : "", name, link });
  }
  return { ok: run.status === 0, entries, stderr: run.stderr.toString() };
}

function splitLines(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, start)) {
    out.push(b.subarray(start, i));
    start = i + 1;
  }
  if (start < b.length) out.push(b.subarray(start));
  return out;
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ""] : [s.slice(0, i), s.slice(i + sep.length)];
}

/** Limits out of the way: the comparison is about what the reader sees, not where it stops. */
const NO_LIMITS = {
  maxCompressionRatio: 1e12,
  maxEntries: 1e9,
  maxPathLength: 1e9,
  maxPathDepth: 1e9,
  maxManifestSize: 1e12,
  maxExtensionHeaderSize: 1e9,
};
const STRUCTURAL = /^(GZIP|TAR)_/;

const work = mkdtempSync(join(tmpdir(), "verifier-diff-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const staging = buildStaging(join(work, "staging"));
const corpus = buildCorpus(staging, join(work, "build"));

async function compare(file: string): Promise<"equal" | "refused" | "gnu-refused"> {
  const gnu = gnuList(file);
  const mine = await listPackageEntries(file, { limits: NO_LIMITS });
  const structural = mine.findings.filter((f) => f.severity === "error" && STRUCTURAL.test(f.code));
  if (!gnu.ok) return "gnu-refused";
  if (structural.length > 0) return "refused";
  expect(ours(mine.entries)).toEqual(gnu.entries);
  return "equal";
}

describe("differential: our reader vs GNU tar -tvzf", () => {
  it("good packages from node-tar and GNU tar list identically", async () => {
    mkdirSync(join(work, "n"));
    mkdirSync(join(work, "g"));
    await packWithNodeTar(staging, join(work, "n", PACKAGE_NAME));
    packWithGnuTar(staging, join(work, "g", PACKAGE_NAME));
    expect(await compare(join(work, "n", PACKAGE_NAME))).toBe("equal");
    expect(await compare(join(work, "g", PACKAGE_NAME))).toBe("equal");
  });

  it("every corpus archive GNU tar accepts lists identically, or is refused for its structure", async () => {
    const outcomes: Record<string, string> = {};
    for (const [i, c] of corpus.entries()) {
      const file = join(work, `case-${i}.baiengine`);
      writeFileSync(file, c.bytes);
      outcomes[c.name] = await compare(file);
    }
    const equal = Object.values(outcomes).filter((o) => o === "equal").length;
    // Most of the corpus is well-formed tar with hostile content: those must list the same.
    expect(equal).toBeGreaterThan(corpus.length / 2);
    // Structural smuggling that GNU tar accepts must be refused by us, never silently read differently.
    expect(outcomes["second gzip member smuggling entries"]).toBe("refused");
    expect(outcomes["PAX size disagrees with header size"]).not.toBe("equal");
    expect(outcomes["PAX path hides a traversal behind a benign name"]).toBe("equal");
    expect(outcomes["GNU long name hides an absolute path"]).toBe("equal");
  });
});
