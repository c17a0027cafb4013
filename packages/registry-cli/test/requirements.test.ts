import { execFileSync } from "node:child_process";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { PackageEntry } from "@baiengine/schema";
import { beforeAll, describe, expect, it } from "vitest";
import { fileBaseUrl } from "../src/install/install-package.js";
import { choosePackage } from "../src/resolve/choose-package.js";
import { detectHostFacts, type HostFacts } from "../src/resolve/host-facts.js";
import { parseComputeCapabilities, parseGlibcVersion, parseLdconfigPath } from "../src/resolve/host-runtime-facts.js";
import { runsOn, unmetRequirements } from "../src/resolve/requirements-check.js";
import { makePackage } from "./helpers/packages.js";
import { emptyRegistry, writeJson } from "./helpers/registry-fixtures.js";
import { runCli } from "./helpers/run-cli.js";
import { tempDir } from "@baiengine/test-kit";

const none = { glibc: null, glibcxx: null, macosVersion: null, computeCapabilities: [] };

describe("which GPU runs which CUDA architecture (CMake CUDA_ARCHITECTURES entries)", () => {
  it.each([
    ["86", "8.6", true],
    ["86", "8.9", true], // SASS of the same major, higher minor
    ["86", "9.0", true], // through the PTX that plain 86 embeds
    ["86-real", "9.0", false],
    ["86-real", "8.9", true],
    ["80-virtual", "12.0", true],
    ["90a", "9.0", true],
    ["90a", "10.0", false],
    ["75", "6.1", false],
    ["sm_75", "7.5", true],
    ["90-real", "8.6", false], // SASS never runs on an older GPU
    ["90", "8.6", false], // nor does its PTX
    ["90-virtual", "8.6", false],
    ["86-virtual", "9.0", true], // PTX: JIT-compiled on an equal or newer GPU
    ["89-real", "9.0", false], // SASS stays within its major
    ["100f", "10.3", true], // family-specific: the same major, a newer minor
    ["100f", "12.0", false],
    ["120a", "12.1", false],
    ["all", "6.1", true],
    ["all-major", "12.0", true],
    ["native", "8.6", null], // the build machine's GPUs: unknown here
    ["OFF", "8.6", null],
  ])("%s on compute capability %s: %s", (entry, cc, ok) => {
    expect(runsOn(entry, cc)).toBe(ok);
  });
});

describe("unmet requirements, one line each naming the host's value", () => {
  it("glibc, libstdc++, macOS, CUDA architectures", () => {
    const linux = { ...none, glibc: "2.36", glibcxx: "3.4.30" };
    expect(unmetRequirements({ glibc: "2.39", glibcxx: "3.4.32" }, "linux", linux).map((u) => u.message)).toEqual([
      "needs glibc 2.39, this host has 2.36",
      "needs libstdc++ with GLIBCXX_3.4.32, this host's goes up to GLIBCXX_3.4.30",
    ]);
    expect(unmetRequirements({ glibc: "2.34", glibcxx: "3.4.30" }, "linux", linux)).toEqual([]);
    expect(unmetRequirements({ glibc: "2.17" }, "linux", none).map((u) => u.message)).toEqual(["needs glibc 2.17, this host has no glibc"]);
    expect(unmetRequirements({ macosMin: "14.0" }, "macos", { ...none, macosVersion: "13.6.1" }).map((u) => u.message)).toEqual(["needs macOS 14.0 or later, this host runs 13.6.1"]);
    expect(unmetRequirements({ macosMin: "13.3" }, "macos", { ...none, macosVersion: "13.6.1" })).toEqual([]);
    const gpu = { ...none, computeCapabilities: ["6.1"] };
    expect(unmetRequirements({ cudaArchitectures: ["75", "80", "86"] }, "linux", gpu).map((u) => u.message)).toEqual([
      "built for CUDA architectures 75;80;86, this host's GPU is compute capability 6.1",
    ]);
    expect(unmetRequirements({ cudaArchitectures: ["90-real"] }, "linux", { ...none, computeCapabilities: ["8.6"] }).map((u) => u.message)).toEqual([
      "built for CUDA architectures 90-real, this host's GPU is compute capability 8.6",
    ]);
    expect(unmetRequirements({ cudaArchitectures: ["80-real", "90-real"] }, "linux", { ...none, computeCapabilities: ["8.6", "9.0"] })).toEqual([]);
    // An unknown fact is not held against the package: no compute capability, or a build for `native`.
    expect(unmetRequirements({ cudaArchitectures: ["75"] }, "linux", none)).toEqual([]);
    expect(unmetRequirements({ cudaArchitectures: ["native"] }, "linux", gpu)).toEqual([]);
  });

  it("resolve's choice skips the package with the reason on its line", () => {
    const entry = (accelerator: "cpu" | "cuda", version: string | null, requirements?: PackageEntry["requirements"]): PackageEntry => ({
      os: "linux",
      arch: "x86_64",
      accelerator,
      acceleratorVersion: version,
      filename: `llama-cpp-b1-linux-x86_64-${accelerator === "cpu" ? "cpu" : "cuda12"}.baiengine`,
      size: 1,
      sha256: "0".repeat(64),
      ...(requirements ? { requirements } : {}),
    });
    const host: HostFacts = { os: "linux", arch: "x86_64", cudaDriverVersion: "12.8", rocmVersion: null, vulkanLoader: false, devices: { cuda: ["NVIDIA GeForce GTX 1080"], rocm: [], vulkan: null, metal: false, notes: [] }, ...none, glibc: "2.31", computeCapabilities: ["6.1"], notes: [] };
    const choice = choosePackage([entry("cuda", "12.4", { glibc: "2.28", cudaArchitectures: ["75", "86"] }), entry("cpu", null, { glibc: "2.28" })], host);
    expect(choice.chosen?.accelerator).toBe("cpu");
    expect(choice.reasons).toContain("linux-x86_64-cuda12: skipped, built for CUDA architectures 75;86, this host's GPU is compute capability 6.1");
  });
});

describe("host facts on this machine, against the system's own tools", () => {
  it("glibc as getconf/ldd report it, libstdc++'s highest GLIBCXX as grep finds it", async () => {
    const facts = await detectHostFacts();
    const ldd = execFileSync("ldd", ["--version"]).toString();
    expect(facts.glibc).toBe(parseGlibcVersion(ldd));
    expect(facts.glibc).toBe(execFileSync("getconf", ["GNU_LIBC_VERSION"]).toString().trim().split(" ")[1]);
    const libstdcxx = parseLdconfigPath(execFileSync("ldconfig", ["-p"]).toString(), "libstdc++.so.6");
    const grep = execFileSync("bash", ["-c", `grep -ao 'GLIBCXX_[0-9][0-9.]*[0-9]' ${libstdcxx} | sort -uV | tail -1`]).toString().trim();
    expect(`GLIBCXX_${facts.glibcxx}`).toBe(grep);
    expect(facts.notes).toContain(`glibc ${facts.glibc}`);
  });

  it("parses nvidia-smi's compute_cap query and the ldd banner", () => {
    expect(parseComputeCapabilities("8.6\n9.0\n")).toEqual(["8.6", "9.0"]);
    expect(parseComputeCapabilities("[N/A]\n")).toEqual([]);
    expect(parseGlibcVersion("ldd (Ubuntu GLIBC 2.31-0ubuntu9.16) 2.31\nCopyright")).toBe("2.31");
    expect(parseGlibcVersion("musl libc (x86_64)\nVersion 1.2.4")).toBeNull();
  });
});

describe("a package that needs a newer glibc than this host's (update, resolve, install)", () => {
  let registry: string;
  let mirror: string;
  let packageFile: string;
  let hostGlibc: string;

  beforeAll(async () => {
    hostGlibc = execFileSync("getconf", ["GNU_LIBC_VERSION"]).toString().trim().split(" ")[1]!;
    const work = await tempDir();
    const packages = join(work, "packages");
    const built = await makePackage(packages, { version: "0.3.0", manifestOverride: { requirements: { glibc: "99.0", glibcxx: "3.4.19" } } });
    packageFile = built.path;
    registry = join(work, "engines.json");
    await writeJson(registry, emptyRegistry());
    const update = await runCli(["update", "--registry", registry, "--engine", "hello", "--version", "0.3.0", "--packages-dir", packages]);
    expect(update.code, update.stderr).toBe(0);
    mirror = join(work, "mirror");
    await mkdir(join(mirror, "hello-v0.3.0"), { recursive: true });
    execFileSync("cp", [built.path, join(mirror, "hello-v0.3.0", built.filename)]);
  });

  it("update copies the manifest's requirements into the index entry", async () => {
    const index = JSON.parse(await readFile(registry, "utf8"));
    expect(index.engines[0].packages[0].requirements).toEqual({ glibc: "99.0", glibcxx: "3.4.19" });
  });

  it("resolve skips it, with the reason on its line and in --json", async () => {
    const text = await runCli(["resolve", "--registry", registry, "--engine", "hello"]);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain(`linux-x86_64-cpu: skipped, needs glibc 99.0, this host has ${hostGlibc}`);
    const json = await runCli(["resolve", "--registry", registry, "--engine", "hello", "--json"]);
    expect(json.code).toBe(1);
    const { error } = JSON.parse(json.stdout);
    expect(error).toMatchObject({ code: "NO_PACKAGE_FITS", exitCode: 1, message: expect.stringContaining("no package of hello") });
    expect(error.facts.reasons).toContain(`linux-x86_64-cpu: skipped, needs glibc 99.0, this host has ${hostGlibc}`);
  });

  it("install refuses it in one line naming the requirement and the host's value; --force installs it", async () => {
    const enginesDir = join(await tempDir(), "engines");
    const args = ["install", "--registry", registry, "--engine", "hello", "--os", "linux", "--arch", "x86_64", "--engines-dir", enginesDir, "--base-url", fileBaseUrl(mirror)];
    const refused = await runCli(args);
    expect(refused.code).toBe(1);
    const errors = refused.stderr.split("\n").filter((l) => l.startsWith("error:"));
    expect(errors).toEqual([`error: hello-0.3.0-linux-x86_64-cpu.baiengine needs glibc 99.0, this host has ${hostGlibc} (from the index)`]);
    expect(await readdir(enginesDir).catch(() => [])).not.toContain("hello");
    const forced = await runCli([...args, "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(`(forced: needs glibc 99.0, this host has ${hostGlibc})`);
    expect(await readdir(join(enginesDir, "hello", "0.3.0"))).toEqual(["linux-x86_64-cpu"]);
  });

  it("a local file is checked against its manifest's requirements", async () => {
    const enginesDir = join(await tempDir(), "engines");
    const refused = await runCli(["install", packageFile, "--engines-dir", enginesDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`needs glibc 99.0, this host has ${hostGlibc} (from its manifest)`);
    expect(await readdir(enginesDir).catch(() => [])).not.toContain("hello");
  });
});
