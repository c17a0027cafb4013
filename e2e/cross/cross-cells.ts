import path from "node:path";
import { which } from "../../packages/cli-kit/dist/system/index.js";
import { findToolchain, type ToolchainProfile } from "../../packages/profiles/dist/index.js";

/** A cell this Linux x86_64 machine builds with a cross toolchain and runs under an emulator. */
export interface CrossCell {
  os: "linux" | "windows";
  arch: "aarch64" | "x86_64";
  toolchain: string;
  serverBinary: string;
  /** What the verifier's binary reader must say about the server binary. */
  format: "elf" | "pe";
  /** The emulator command line that runs `binary`. */
  emulate: (binary: string) => { command: string; args: string[] };
  /** The environment the emulated server gets: nothing of the caller's, plus what the emulator needs. */
  env: (temp: string) => NodeJS.ProcessEnv;
  /** A host path as the emulated program must be given it. */
  hostPath: (file: string) => string;
}

const AARCH64_SYSROOT = "/usr/aarch64-linux-gnu";

export const CROSS_CELLS: readonly CrossCell[] = [
  {
    os: "linux",
    arch: "aarch64",
    toolchain: "linux-aarch64-cross",
    serverBinary: "llama-server",
    format: "elf",
    emulate: (binary) => ({ command: "qemu-aarch64", args: ["-L", AARCH64_SYSROOT, binary] }),
    env: () => ({ PATH: "/usr/bin:/bin" }),
    hostPath: (file) => file,
  },
  {
    os: "windows",
    arch: "x86_64",
    toolchain: "windows-x86_64-mingw",
    serverBinary: "llama-server.exe",
    format: "pe",
    emulate: (binary) => ({ command: "wine", args: [binary] }),
    // A fresh prefix per run; no Mono/Gecko installers (they would wait for a click or the network).
    env: (temp) => ({ PATH: "/usr/bin:/bin", HOME: temp, WINEPREFIX: path.join(temp, "wineprefix"), WINEDEBUG: "-all", WINEDLLOVERRIDES: "mscoree,mshtml=" }),
    // Wine maps the host's / to drive Z:.
    hostPath: (file) => `Z:${file.replace(/\//g, "\\")}`,
  },
];

function profileOf(cell: CrossCell): ToolchainProfile {
  const profile = findToolchain({ os: "linux", arch: "x86_64" }, { os: cell.os, arch: cell.arch });
  if (profile?.id !== cell.toolchain) throw new Error(`@baiengine/profiles has no toolchain profile ${cell.toolchain}`);
  return profile;
}

/**
 * The cross compilers and the emulator of `cell`, from its toolchain profile; throws one
 * line naming the Debian packages to install when any is missing (the suite fails, never skips).
 */
export function requireCrossTools(cell: CrossCell): void {
  const profile = profileOf(cell);
  const tools = [profile.cc, profile.cxx, profile.strip.tool, profile.emulator?.command].filter((t): t is string => typeof t === "string");
  const missing = tools.filter((t) => which(t) === null);
  if (missing.length > 0) {
    const packages = [...profile.debianPackages, ...(profile.emulator?.debianPackages ?? [])];
    throw new Error(`${cell.os}-${cell.arch}: ${missing.join(", ")} not on PATH: apt-get install ${packages.join(" ")}`);
  }
}
