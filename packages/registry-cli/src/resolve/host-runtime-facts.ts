import { readFile } from "node:fs/promises";
import { toolOutput } from "@baiengine/cli-kit/system";
import { maxDottedVersion, type Os } from "@baiengine/schema";

/** What a package's requirements are checked against. null (or []) where the fact is unknown or absent. */
export interface RuntimeFacts {
  /** glibc version (`gnu_get_libc_version`), null on other C libraries and OSes. */
  glibc: string | null;
  /** Highest `GLIBCXX_` version the system libstdc++.so.6 defines, null without one. */
  glibcxx: string | null;
  /** macOS product version (`sw_vers -productVersion`), null elsewhere. */
  macosVersion: string | null;
  /** Compute capability of each NVIDIA GPU (`8.6`), from nvidia-smi; [] without one or on drivers too old to say. */
  computeCapabilities: string[];
}

/** A probe's stdout, or null when the tool is missing, fails or takes over 5 s. */
export function runProbe(command: string, args: string[]): Promise<string | null> {
  return toolOutput(command, args, { timeoutMs: 5_000 });
}

/** `glibc 2.36` (getconf GNU_LIBC_VERSION) or the first line of `ldd --version`, `ldd (Debian GLIBC 2.36-9+deb12u4) 2.36`. */
export function parseGlibcVersion(output: string): string | null {
  const first = output.split("\n")[0] ?? "";
  if (!/glibc|gnu libc/i.test(first)) return null;
  return /(\d+\.\d+(?:\.\d+)?)\s*$/.exec(first.trim())?.[1] ?? null;
}

/** The highest `GLIBCXX_3.4.N` named in libstdc++'s bytes (its version definitions), as `strings | grep GLIBCXX` finds them. */
export function highestGlibcxx(bytes: Buffer): string | null {
  let best: string | undefined;
  for (const m of bytes.toString("latin1").matchAll(/GLIBCXX_(\d+(?:\.\d+)+)/g)) best = maxDottedVersion(best, m[1]!);
  return best ?? null;
}

/** `ldconfig -p` lines: `\tlibstdc++.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++.so.6`. */
export function parseLdconfigPath(output: string, soname: string): string | null {
  for (const line of output.split("\n")) {
    const m = /^\s*(\S+) \(([^)]*)\) => (.+)$/.exec(line);
    if (m && m[1] === soname && !/32|x32/.test(m[2]!)) return m[3]!.trim();
  }
  return null;
}

/** `nvidia-smi --query-gpu=compute_cap --format=csv,noheader`: one `8.6` per GPU. */
export function parseComputeCapabilities(output: string): string[] {
  return output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^\d+\.\d+$/.test(l));
}

async function glibcVersion(): Promise<string | null> {
  // Node's own report reads gnu_get_libc_version(); getconf and ldd ask the same library from outside.
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  if (header?.glibcVersionRuntime) return header.glibcVersionRuntime;
  for (const [command, args] of [["getconf", ["GNU_LIBC_VERSION"]], ["ldd", ["--version"]]] as const) {
    const out = await runProbe(command, [...args]);
    const version = out === null ? null : parseGlibcVersion(out);
    if (version) return version;
  }
  return null;
}

async function glibcxxVersion(): Promise<string | null> {
  const ldconfig = (await runProbe("ldconfig", ["-p"])) ?? (await runProbe("/sbin/ldconfig", ["-p"]));
  const path = ldconfig === null ? null : parseLdconfigPath(ldconfig, "libstdc++.so.6");
  if (path === null) return null;
  return readFile(path).then(highestGlibcxx, () => null);
}

/** Detects the facts requirements are checked against; each note says how, for `resolve`'s explanation. */
export async function detectRuntimeFacts(os: Os, hasNvidiaDriver: boolean, notes: string[]): Promise<RuntimeFacts> {
  const facts: RuntimeFacts = { glibc: null, glibcxx: null, macosVersion: null, computeCapabilities: [] };
  if (os === "linux") {
    facts.glibc = await glibcVersion();
    facts.glibcxx = await glibcxxVersion();
    notes.push(facts.glibc ? `glibc ${facts.glibc}` : "no glibc (another C library)");
    notes.push(facts.glibcxx ? `libstdc++ up to GLIBCXX_${facts.glibcxx}` : "no system libstdc++.so.6 found");
  } else if (os === "macos") {
    facts.macosVersion = (await runProbe("sw_vers", ["-productVersion"]))?.trim() || null;
    notes.push(`macOS ${facts.macosVersion ?? "(version unknown)"}`);
  }
  if (hasNvidiaDriver) {
    const out = await runProbe("nvidia-smi", ["--query-gpu=compute_cap", "--format=csv,noheader"]);
    facts.computeCapabilities = out === null ? [] : parseComputeCapabilities(out);
    notes.push(facts.computeCapabilities.length > 0 ? `GPU compute capability ${facts.computeCapabilities.join(", ")}` : "GPU compute capability not reported by nvidia-smi");
  }
  return facts;
}
