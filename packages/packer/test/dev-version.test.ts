import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { findEngineProfile } from "@baiengine/profiles";
import { tempDirSync } from "@baiengine/test-kit";
import { describe, expect, it } from "vitest";
import { formatPlan } from "../src/plan/format-plan.js";
import { planPack } from "../src/plan/plan-pack.js";
import { declaredVersion, readSourceFacts } from "../src/probe/source-facts.js";
import { linuxFacts, llamaSourceFacts } from "./helpers/facts.js";

// The version blocks of whisper.cpp's top-level CMakeLists.txt, as upstream wrote them (ggml-org/whisper.cpp).
/** v1.9.1 (and before): the version in project(), no dev marker. */
const WHISPER_1_9_1 = 'cmake_minimum_required(VERSION 3.5) # for add_link_options and implicit target directories.\nproject("whisper.cpp" C CXX)\nproject("whisper.cpp" VERSION 1.9.1)\ninclude(CheckIncludeFileCXX)\n';
/** v1.9.3 (commit 81c1905 "cmake : update semver and release process", ggml's scheme): the numbers, and a dev option ON by default. */
const WHISPER_1_9_3 = `cmake_minimum_required(VERSION 3.5) # for add_link_options and implicit target directories.
project("whisper.cpp" C CXX)
include(CheckIncludeFileCXX)

### whisper.cpp version
set(WHISPER_VERSION_MAJOR 1)
set(WHISPER_VERSION_MINOR 9)
set(WHISPER_VERSION_PATCH 3)
set(WHISPER_VERSION_BASE "\${WHISPER_VERSION_MAJOR}.\${WHISPER_VERSION_MINOR}.\${WHISPER_VERSION_PATCH}")

# whether this is a development/nightly build
# set this to OFF when making a release from a release tag (vX.Y.Z)
# ref: https://github.com/ggml-org/ggml/discussions/1579
option(WHISPER_BUILD_IS_DEV "whisper: dev build" ON)

if (WHISPER_BUILD_IS_DEV)
    set(WHISPER_VERSION "\${WHISPER_VERSION_BASE}-dev")
else()
    set(WHISPER_VERSION "\${WHISPER_VERSION_BASE}")
endif()
`;

const whisper = findEngineProfile("whisper-cpp")!;

function git(dir: string, ...args: string[]): void {
  execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", ...args], { stdio: "ignore" });
}

/** A git work tree shaped like whisper.cpp's source (its marker files) whose CMakeLists.txt is `cmake`. */
function whisperTree(cmake: string): string {
  const dir = tempDirSync("whisper-dev");
  for (const marker of whisper.sourceMarkers) {
    mkdirSync(path.dirname(path.join(dir, marker)), { recursive: true });
    writeFileSync(path.join(dir, marker), "");
  }
  writeFileSync(path.join(dir, "CMakeLists.txt"), cmake);
  git(dir, "init", "-q");
  git(dir, "add", ".");
  git(dir, "commit", "-q", "-m", "source");
  return dir;
}

async function plan(dir: string, version?: string) {
  const facts = linuxFacts({ source: await readSourceFacts(dir, whisper) });
  return planPack({ engine: "whisper-cpp", accel: "cpu", source: dir, ...(version ? { version } : {}) }, { facts, dryRun: true });
}

describe("whisper.cpp's version from its CMake, and what -dev means (the profile's version rules)", () => {
  it("1.9.1 declares the version in project(): no dev option is passed, the package is 1.9.1", async () => {
    const dir = whisperTree(WHISPER_1_9_1);
    expect(declaredVersion(dir, whisper.versionRules)).toEqual({ version: "1.9.1", rule: { kind: "cmake-project", file: "CMakeLists.txt" } });
    const p = await plan(dir);
    expect([p.version, p.versionFrom]).toEqual(["1.9.1", "CMakeLists.txt"]);
    expect(p.defines).not.toHaveProperty("WHISPER_BUILD_IS_DEV");
  });

  it("1.9.3 at release tag v1.9.3 is the release: WHISPER_BUILD_IS_DEV=OFF, package 1.9.3, and the dry run says why", async () => {
    const dir = whisperTree(WHISPER_1_9_3);
    git(dir, "tag", "v1.9.3");
    const p = await plan(dir);
    expect([p.version, p.versionFrom]).toEqual(["1.9.3", "CMakeLists.txt at release tag v1.9.3"]);
    expect(p.defines["WHISPER_BUILD_IS_DEV"]).toBe("OFF");
    expect(p.packageStem).toBe("whisper-cpp-1.9.3-linux-x86_64-cpu");
    const text = formatPlan(p);
    expect(text).toContain("-DWHISPER_BUILD_IS_DEV=OFF");
    expect(text).toMatch(/^ {2}WHISPER_BUILD_IS_DEV=OFF: whisper\.cpp 1\.9\.3 and later follow ggml's version scheme/m);
  });

  it("a commit after it is a development build: WHISPER_BUILD_IS_DEV=ON and package 1.9.3-dev, unless a tag or --version names it", async () => {
    const dir = whisperTree(WHISPER_1_9_3);
    git(dir, "tag", "v1.9.3");
    git(dir, "commit", "-q", "--allow-empty", "-m", "after the release");
    const dev = await plan(dir);
    expect([dev.version, dev.defines["WHISPER_BUILD_IS_DEV"]]).toEqual(["1.9.3-dev", "ON"]);
    expect(dev.outFile).toMatch(/whisper-cpp-1\.9\.3-dev-linux-x86_64-cpu\.baiengine$/);
    // A nightly's tag names the package; the build is still a dev build.
    git(dir, "tag", "b4925");
    const nightly = await plan(dir);
    expect([nightly.version, nightly.versionFrom, nightly.defines["WHISPER_BUILD_IS_DEV"]]).toEqual(["b4925", "git tag", "ON"]);
    const named = await plan(dir, "26.3.3");
    expect([named.version, named.defines["WHISPER_BUILD_IS_DEV"]]).toEqual(["26.3.3", "ON"]);
  });
});

describe("llama.cpp's dev rule is the same data", () => {
  it("LLAMA_BUILD_IS_DEV: ON and X.Y.Z-dev without a tag, the bNNNN tag names a nightly, OFF at vX.Y.Z", () => {
    const llama = findEngineProfile("llama-cpp")!;
    const rule = llama.versionRules[0]!;
    expect(rule).toMatchObject({ kind: "cmake-set", dev: { option: "LLAMA_BUILD_IS_DEV", releaseTag: "v{version}", version: "{version}-dev" } });
    const at = (tag: string | null) => planPack({ accel: "cpu", source: "/src/llama.cpp" }, { facts: linuxFacts({ source: llamaSourceFacts({ tag, declared: { version: "0.6.0", rule } }) }) });
    expect([at(null).version, at(null).defines["LLAMA_BUILD_IS_DEV"]]).toEqual(["0.6.0-dev", "ON"]);
    expect([at("b6123").version, at("b6123").defines["LLAMA_BUILD_IS_DEV"]]).toEqual(["b6123", "ON"]);
    expect([at("v0.6.0").version, at("v0.6.0").defines["LLAMA_BUILD_IS_DEV"]]).toEqual(["0.6.0", "OFF"]);
  });
});
