import { copyFile, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { pack, packRuntime, stagingEntries, writeReproducibleArchive } from "@baiengine/packer";
import { findEngineProfile } from "@baiengine/profiles";
import { extractPackage } from "@baiengine/verifier";
import { tempDir } from "@baiengine/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PackageServer, startPackageServer } from "./helpers/package-server.js";
import { emptyRegistry, writeJson } from "./helpers/registry-fixtures.js";
import { runCli } from "./helpers/run-cli.js";

/**
 * Two engines whose GPU packages name the same runtime pack, installed side by side as the app
 * installs llama.cpp and whisper.cpp: one runtime store, one copy on disk. The packer's GPU-shaped
 * hello (cuda13, its backend linking the stub runtime libhellort.so.1) plays both: as itself, probed
 * with `--list-devices` (the hello profile), and as a whisper-cpp package, the same binaries with the
 * manifest's engine id changed, probed as whisper.cpp's profile says (started with a generated model,
 * ggml-cuda's device lines read from its log: hello-server's `-m` mode answers like whisper-server).
 * That whisper.cpp's and llama.cpp's real GPU packages name the same runtime pack is the packer's
 * plan test; this is the install half.
 */

const RUNTIME = "hello-cuda13-runtime";
const linux = ["--os", "linux", "--arch", "x86_64", "--accel", "cuda13"];
let root: string;
let registry: string;
let server: PackageServer;
const base = () => `${server.url}/ok`;

/** The hello cuda13 package relabelled as engine `id` at `version`: its manifest's engineId and version changed, archived by the packer's writer. */
async function relabel(file: string, id: string, version: string, out: string): Promise<string> {
  const dest = join(root, `relabel-${id}`);
  await extractPackage(file, dest);
  const manifestFile = join(dest, "package", "manifest.json");
  const manifest = JSON.parse(await readFile(manifestFile, "utf8"));
  await writeFile(manifestFile, `${JSON.stringify({ ...manifest, engineId: id, version }, null, 2)}\n`);
  await mkdir(out, { recursive: true });
  const named = join(out, `${id}-${version}-linux-x86_64-cuda13.baiengine`);
  await writeReproducibleArchive(await stagingEntries(join(dest, "package")), named, { mtime: new Date(0), compressor: "node" });
  return named;
}

beforeAll(async () => {
  root = await tempDir();
  const hello = await pack({ engine: "hello", accel: "cuda13", version: "0.1.0", out: join(root, "hello"), cacheDir: join(root, "cache") });
  const whisper = await relabel(hello.file, "whisper-cpp", "1.9.1", join(root, "whisper"));
  const runtime = await packRuntime({ accel: "cuda13", engine: "hello", toolkit: hello.plan.buildDir, out: join(root, "runtimes") });
  registry = join(root, "engines.json");
  await writeJson(registry, emptyRegistry());
  const published = [
    ["--runtime", RUNTIME, "--version", "13.0.1", "--packages-dir", join(root, "runtimes")],
    ["--engine", "hello", "--version", "0.1.0", "--packages-dir", join(root, "hello")],
    ["--engine", "whisper-cpp", "--version", "1.9.1", "--packages-dir", join(root, "whisper")],
  ];
  for (const args of published) {
    const r = await runCli(["update", "--registry", registry, ...args]);
    expect(r.code, r.stderr).toBe(0);
  }
  const mirror = join(root, "mirror");
  for (const [tag, file] of [["hello-v0.1.0", hello.file], ["whisper-cpp-v1.9.1", whisper], [`${RUNTIME}-v13.0.1`, runtime.file]] as const) {
    await mkdir(join(mirror, tag), { recursive: true });
    await copyFile(file, join(mirror, tag, basename(file)));
  }
  server = await startPackageServer(mirror);
}, 600_000);
afterAll(() => server?.close());

describe("one installed runtime serves two engines", () => {
  it("whisper-cpp's package names the runtime hello's does, and its install links the store hello's install made: one inode", async () => {
    const enginesDir = join(root, "engines");
    const install = (engine: string) => runCli(["install", "--registry", registry, "--engine", engine, ...linux, "--base-url", base(), "--engines-dir", enginesDir]);
    const store = join(enginesDir, "runtimes", RUNTIME, "13.0.1", "linux-x86_64");
    const helloDir = join(enginesDir, "hello", "0.1.0", "linux-x86_64-cuda13");
    const whisperDir = join(enginesDir, "whisper-cpp", "1.9.1", "linux-x86_64-cuda13");

    const first = await install("hello");
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`  installed: runtime ${RUNTIME} 13.0.1 linux-x86_64 -> ${store}`);
    expect(first.stdout).toContain("  device: HelloGPU0: Hello stub GPU (1024 MiB, 1000 MiB free)");

    const second = await install("whisper-cpp");
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout.split("\n")).toEqual([
      `installed: whisper-cpp 1.9.1 -> ${whisperDir}`,
      `  already installed: runtime ${RUNTIME} 13.0.1 linux-x86_64 -> ${store}`,
      `  runtime: ${RUNTIME} 13.0.1 (1 hard-linked, 0 copied into ${join(whisperDir, "libs")})`,
      // whisper.cpp's probe: started with a generated model, the device read from ggml-cuda's log line.
      "  device: cuda0: Device 0: Hello stub GPU, compute capability 0.0, VMM: no",
      // Each engine has its own active version; only the runtime store is shared.
      "  active: first install: active",
      "",
    ]);
    expect(findEngineProfile("whisper-cpp")?.deviceProbe?.kind).toBe("log-lines");

    const shared = await stat(join(store, "libs", "libhellort.so.1"));
    for (const dir of [helloDir, whisperDir]) {
      const linked = await stat(join(dir, "libs", "libhellort.so.1"));
      expect([linked.dev, linked.ino], dir).toEqual([shared.dev, shared.ino]);
    }
    expect(shared.nlink).toBe(3);
    // The runtime pack was downloaded once: two engine packages and one runtime pack.
    expect(server.requests.filter((q) => q.method === "GET" && q.range === undefined).map((q) => q.mode)).toEqual(["ok", "ok", "ok"]);
  });
});
