import { join } from "node:path";

/** How a package's server binary is run on this host: natively, or through an emulator. */
export interface Runner {
  /** `native`, `qemu-aarch64`, `wine`. */
  name: string;
  /** The emulator's command; "" runs the binary itself. */
  command: string;
  /** The emulator's arguments before the server's own (`-L <sysroot> <binary>`), or `[binary]`. */
  args: (binary: string) => string[];
  /** What the emulator itself needs in the environment (nothing of the caller's is passed on). */
  env: (temp: string) => Record<string, string>;
  /** A host path as the emulated program must be given it (wine maps / to drive Z:). */
  hostPath: (file: string) => string;
  /** wine: a server may print its version and not exit, so a timeout with the expected output passes. */
  judgeByOutput: boolean;
  /** Run after the server stopped (wine: `wineserver -k`, so nothing of the prefix outlives the run). */
  cleanup: { command: string; args: string[] } | null;
}

export const NATIVE_RUNNER: Runner = { name: "native", command: "", args: (b) => [b], env: () => ({}), hostPath: (f) => f, judgeByOutput: false, cleanup: null };

export const QEMU_AARCH64_RUNNER: Runner = {
  name: "qemu-aarch64",
  command: "qemu-aarch64",
  args: (b) => ["-L", "/usr/aarch64-linux-gnu", b],
  env: () => ({}),
  hostPath: (f) => f,
  judgeByOutput: false,
  cleanup: null,
};

export const WINE_RUNNER: Runner = {
  name: "wine",
  command: "wine",
  args: (b) => [b],
  // A fresh prefix per run, no Mono/Gecko installers (they would wait for a click or the network).
  env: (temp) => ({ PATH: "/usr/bin:/bin", HOME: temp, WINEPREFIX: join(temp, "wineprefix"), WINEDEBUG: "-all", WINEDLLOVERRIDES: "mscoree,mshtml=" }),
  hostPath: (f) => `Z:${f.replace(/\//g, "\\")}`,
  judgeByOutput: true,
  cleanup: { command: "wineserver", args: ["-k"] },
};
