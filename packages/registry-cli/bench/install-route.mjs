#!/usr/bin/env node
// Prints the route of one engine install as the chains of modules it passes through, and whether any
// module is entered again further down its own chain (re-entry: A -> B -> A, a callback calling back
// into its caller's module). The install is real: the packer's GPU-shaped hello (cuda13) and its runtime
// pack, published with the CLI, served on loopback, installed by `engine-registry install` into an
// empty folder (runtime install, download, extraction, requirement checks, runtime linking, device
// probe, placing). bench/record-route.mjs records the stack at every file-system call and child
// process, async callers included. Exits 1 on a re-entry.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { pack, packRuntime } from "@baiengine/packer";
import { cli, startServer } from "./install-kit.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const work = await mkdtemp(join(tmpdir(), "install-route-"));
const run = (args, env = {}) => execFileSync(process.execPath, args, { env: { ...process.env, CI: "1", ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
try {
  const cacheDir = join(here, "..", "node_modules", ".cache", "registry-cli-route");
  const engine = await pack({ engine: "hello", accel: "cuda13", version: "0.1.0", out: join(work, "packages"), cacheDir });
  const runtime = await packRuntime({ accel: "cuda13", engine: "hello", toolkit: engine.plan.buildDir, out: join(work, "runtimes") });
  const registry = join(work, "engines.json");
  await writeFile(registry, JSON.stringify({ schemaVersion: 1, lastUpdated: "2025-01-10T00:00:00Z", baseUrl: "http://127.0.0.1:1", engines: [] }));
  const version = runtime.manifest.version;
  run([cli, "update", "--registry", registry, "--runtime", runtime.manifest.runtimeId, "--version", version, "--packages-dir", join(work, "runtimes")]);
  run([cli, "update", "--registry", registry, "--engine", "hello", "--version", "0.1.0", "--packages-dir", join(work, "packages")]);
  const mirror = join(work, "mirror");
  for (const [tag, file] of [["hello-v0.1.0", engine.file], [`${runtime.manifest.runtimeId}-v${version}`, runtime.file]]) {
    await mkdir(join(mirror, tag), { recursive: true });
    execFileSync("cp", [file, join(mirror, tag, basename(file))]);
  }
  const { server, baseUrl } = await startServer(mirror);
  const routeFile = join(work, "route.jsonl");
  try {
    const args = [cli, "install", "--registry", registry, "--engine", "hello", "--os", "linux", "--arch", "x86_64", "--accel", "cuda13", "--base-url", baseUrl, "--engines-dir", join(work, "engines"), "--json"];
    const installed = await new Promise((resolve, reject) => {
      import("node:child_process").then(({ execFile }) =>
        execFile(process.execPath, ["--import", join(here, "record-route.mjs"), ...args], { env: { ...process.env, CI: "1", ROUTE_TO: routeFile } }, (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout)))),
      );
    });
    process.stdout.write(`installed ${installed.engineId} ${installed.version} with runtime ${installed.runtime?.id}; device probe: ${installed.devices?.ran ? installed.devices.device : installed.devices?.reason}\n\n`);
  } finally {
    server.close();
  }
  const chains = [...new Set((await readFile(routeFile, "utf8")).split("\n").filter(Boolean))].map((line) => JSON.parse(line));
  const short = (m) => m.replace(/^packages\/registry-cli\/dist\//, "").replace(/\.js$/, "");
  const reentries = [];
  const printed = new Set();
  for (const c of chains) {
    const ours = c.filter((m) => m.startsWith("packages/registry-cli/dist/install/") || m.startsWith("packages/registry-cli/dist/commands/"));
    const line = c.map(short).join(" -> ");
    if (!printed.has(line)) {
      printed.add(line);
      process.stdout.write(`${line}\n`);
    }
    const seen = new Set();
    for (const m of ours) {
      if (seen.has(m)) reentries.push(`${short(m)} in ${line}`);
      seen.add(m);
    }
  }
  const modules = new Set(chains.flat().filter((m) => m.startsWith("packages/registry-cli/dist/install/")));
  process.stdout.write(`\n${printed.size} distinct chains, ${modules.size} install modules; re-entries: ${reentries.length === 0 ? "none" : ""}\n`);
  for (const r of [...new Set(reentries)]) process.stdout.write(`  re-entered: ${r}\n`);
  if (reentries.length > 0) process.exitCode = 1;
} finally {
  await rm(work, { recursive: true, force: true });
}
