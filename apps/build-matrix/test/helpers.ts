import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "@baiengine/test-kit";

export const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_ROOT = resolve(APP_DIR, "..", "..");
export const MATRIX_BIN = join(APP_DIR, "bin", "matrix.js");

/** Runs the built `matrix` CLI (the test task depends on build). */
export function matrix(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return runCli(MATRIX_BIN, args, { cwd: options.cwd ?? REPO_ROOT, ...(options.env ? { env: options.env } : {}) });
}
