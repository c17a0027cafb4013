import { NeedsNativeRunnerError } from "../errors.js";
import { hostPlatform } from "../platform/host.js";
import type { Platform, ToolchainProfile } from "./toolchain-profile.js";

/** The host's own compilers (CMake's defaults), for a target equal to the host. */
export function nativeToolchain(host: Platform): ToolchainProfile {
  return {
    id: "native",
    host,
    target: host,
    cc: null,
    cxx: null,
    strip: host.os === "macos" ? { tool: "strip", args: ["-x"] } : { tool: "strip", args: ["--strip-unneeded"] },
    bundlesRuntimeFromCompiler: false,
    debianPackages: ["cmake", "ninja-build", "build-essential"],
    notes: [],
  };
}

const CROSS: readonly ToolchainProfile[] = [
  {
    id: "linux-aarch64-cross",
    host: { os: "linux", arch: "x86_64" },
    target: { os: "linux", arch: "aarch64" },
    cc: "aarch64-linux-gnu-gcc",
    cxx: "aarch64-linux-gnu-g++",
    strip: { tool: "aarch64-linux-gnu-strip", args: ["--strip-unneeded"] },
    sysroot: "/usr/aarch64-linux-gnu",
    cmakeSystem: { name: "Linux", processor: "aarch64" },
    bundlesRuntimeFromCompiler: false,
    debianPackages: ["gcc-aarch64-linux-gnu", "g++-aarch64-linux-gnu"],
    emulator: { command: "qemu-aarch64", args: ["-L", "/usr/aarch64-linux-gnu"], debianPackages: ["qemu-user"] },
    notes: ["Debian's multiarch cross layout: the sysroot is a find root, not gcc's --sysroot (its headers live in /usr/aarch64-linux-gnu/include)"],
  },
  {
    id: "windows-x86_64-mingw",
    host: { os: "linux", arch: "x86_64" },
    target: { os: "windows", arch: "x86_64" },
    cc: "x86_64-w64-mingw32-gcc-posix",
    cxx: "x86_64-w64-mingw32-g++-posix",
    rc: "x86_64-w64-mingw32-windres",
    strip: { tool: "x86_64-w64-mingw32-strip", args: ["--strip-unneeded"] },
    sysroot: "/usr/x86_64-w64-mingw32",
    cmakeSystem: { name: "Windows", processor: "AMD64" },
    bundlesRuntimeFromCompiler: true,
    debianPackages: ["mingw-w64", "g++-mingw-w64-x86-64-posix", "gcc-mingw-w64-x86-64-posix"],
    emulator: { command: "wine", args: [], debianPackages: ["wine", "wine64"] },
    notes: [
      "the posix-threads compilers: the plain x86_64-w64-mingw32-g++ is the win32-threads variant, which has no std::thread/std::mutex and cannot build llama.cpp",
      "the binaries import libstdc++-6.dll, libgcc_s_seh-1.dll and libwinpthread-1.dll, which ship beside the .exe",
    ],
  },
];

/** Every toolchain the packer knows: the native one for this host, then the cross ones. */
export function listToolchainProfiles(host: Platform = hostPlatform()): ToolchainProfile[] {
  return [nativeToolchain(host), ...CROSS];
}

/**
 * The toolchain that builds `target` on `host`. A target of another OS without a cross profile
 * (macOS from Linux) needs a runner of its own.
 */
export function selectToolchain(host: Platform, target: Platform): ToolchainProfile {
  if (host.os === target.os && host.arch === target.arch) return nativeToolchain(host);
  const cross = CROSS.find((t) => t.host.os === host.os && t.host.arch === host.arch && t.target.os === target.os && t.target.arch === target.arch);
  if (cross) return cross;
  throw new NeedsNativeRunnerError(
    `${target.os}-${target.arch} cannot be built on this ${host.os}-${host.arch} machine: there is no cross toolchain for it`,
    `run pack-engine on a ${target.os}-${target.arch} runner${target.os === "macos" ? " (macOS with Xcode)" : ""}, or use --dry-run to see the plan`,
  );
}
