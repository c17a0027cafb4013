#!/usr/bin/env node
// Root scripts (`pnpm pack-engine`, `pnpm registry`, ...) run a workspace CLI from a fresh clone:
// build it and what it imports through turbo (a cache hit when nothing changed), quietly, then hand
// over argv. Build output is shown only when the build fails, so `--json` stays machine-readable.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [pkg, bin, ...args] = process.argv.slice(2);
const where = { "@baiengine/packer": "packages/packer", "@baiengine/verifier": "packages/verifier", "@baiengine/registry-cli": "packages/registry-cli", "@baiengine/build-matrix": "apps/build-matrix", "@baiengine/gpu-acceptance": "apps/gpu-acceptance" }[pkg];
if (!where || !bin) {
  console.error("usage: run-bin.mjs <workspace package> <bin> [args...]");
  process.exit(2);
}
const turbo = join(root, "node_modules", ".bin", process.platform === "win32" ? "turbo.cmd" : "turbo");
const build = spawnSync(turbo, ["run", "build", `--filter=${pkg}...`, "--output-logs=errors-only"], { cwd: root, encoding: "utf8", shell: process.platform === "win32" });
if (build.status !== 0) {
  process.stderr.write(build.stdout + build.stderr);
  console.error(`error: building ${pkg} failed; run \`pnpm build\` to see why`);
  process.exit(1);
}
const run = spawnSync(process.execPath, [join(root, where, "bin", `${bin}.js`), ...args], { stdio: "inherit", cwd: process.env.INIT_CWD ?? process.cwd() });
process.exit(run.status ?? 1);
