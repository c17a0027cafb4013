import type { Arch, Os } from "@baiengine/schema";

/** A GitHub-hosted runner that builds the cells of one (os, arch). */
export interface RunnerSpec {
  os: Os;
  arch: Arch;
  /** The `runs-on` label. */
  label: string;
  /** Why this runner: image, toolchain, baseline. */
  note: string;
}

/**
 * GitHub-hosted runners per target platform. Every cell builds natively on its own runner, so the
 * package's smoke run can happen on the runner that built it. Ubuntu 22.04 keeps the glibc
 * baseline at 2.35 for Linux packages; macos-13 is the last Intel image.
 */
export const RUNNERS: readonly RunnerSpec[] = [
  { os: "linux", arch: "x86_64", label: "ubuntu-22.04", note: "glibc 2.35 baseline" },
  { os: "linux", arch: "aarch64", label: "ubuntu-22.04-arm", note: "native Arm64 runner (public repositories), glibc 2.35 baseline" },
  { os: "macos", arch: "aarch64", label: "macos-14", note: "Apple silicon, Xcode with the Metal toolchain" },
  { os: "macos", arch: "x86_64", label: "macos-13", note: "the last Intel macOS image" },
  { os: "windows", arch: "x86_64", label: "windows-2022", note: "Visual Studio 2022 (MSVC)" },
];

export function runnerFor(os: Os, arch: Arch): RunnerSpec | undefined {
  return RUNNERS.find((r) => r.os === os && r.arch === arch);
}
