import { UnknownProfileError } from "../errors.js";
import type { EngineProfile, RuntimeModules } from "./engine-profile.js";

const GGML_MODULES: RuntimeModules = {
  prefix: { default: "libggml-", windows: "ggml-" },
  // ggml-backend-reg.cpp: `.dll` on Windows, `.so` everywhere else (macOS included).
  extension: { linux: ".so", macos: ".so", windows: ".dll" },
  buildDir: "bin",
  exclude: ["base"],
};

/** Debian 12's mingw-w64 headers lack these; their layout equals the PROCESS_ variants (winnt.h). */
const MINGW_THREAD_THROTTLING = [
  "-DTHREAD_POWER_THROTTLING_STATE=PROCESS_POWER_THROTTLING_STATE",
  "-DTHREAD_POWER_THROTTLING_CURRENT_VERSION=PROCESS_POWER_THROTTLING_CURRENT_VERSION",
  "-DTHREAD_POWER_THROTTLING_EXECUTION_SPEED=PROCESS_POWER_THROTTLING_EXECUTION_SPEED",
];

export const LLAMA_CPP: EngineProfile = {
  id: "llama-cpp",
  name: "llama.cpp",
  description: "LLM inference in C/C++ (llama-server, OpenAI-compatible HTTP API)",
  modelFormats: ["gguf"],
  source: { kind: "git", repository: "https://github.com/ggml-org/llama.cpp", tag: (version) => version },
  sourceMarkers: ["include/llama.h", "ggml/src/ggml-backend-reg.cpp", "tools/server/CMakeLists.txt"],
  versionRules: [{ kind: "cmake-set", file: "CMakeLists.txt", major: "LLAMA_VERSION_MAJOR", minor: "LLAMA_VERSION_MINOR", patch: "LLAMA_VERSION_PATCH" }],
  cmakeTarget: "llama-server",
  serverBinary: "llama-server",
  binaryDir: "bin",
  licenseFiles: ["LICENSE", "licenses"],
  runtimeModules: GGML_MODULES,
  cmakeDefines: {
    LLAMA_BUILD_TESTS: "OFF",
    LLAMA_BUILD_EXAMPLES: "OFF",
    LLAMA_BUILD_TOOLS: "ON",
    LLAMA_BUILD_SERVER: "ON",
    LLAMA_BUILD_APP: "OFF",
    LLAMA_BUILD_UI: "OFF",
    LLAMA_USE_PREBUILT_UI: "OFF",
    LLAMA_OPENSSL: "OFF",
    LLAMA_FATAL_WARNINGS: "OFF",
    GGML_OPENMP: "OFF",
    GGML_NATIVE: "OFF",
  },
  defineReasons: {
    LLAMA_USE_PREBUILT_UI: "ON downloads the web UI from the network during the build; builds must be offline",
    LLAMA_OPENSSL:
      "HTTPS is only used by llama-server to download models (-hf/-mu); the app manages models itself, and linking libssl/libcrypto would tie the package to the build host's OpenSSL soname (libssl.so.3), which users may not have",
    GGML_OPENMP:
      "OpenMP would make the package need libgomp.so.1 / libgomp-1.dll / libomp.dylib, which is not part of the base system; ggml's own thread pool is used instead (as upstream's Android and mingw builds do)",
    GGML_NATIVE: "ON would tune for the build machine's CPU; packages run on other CPUs",
    LLAMA_BUILD_APP: "only llama-server is shipped",
    LLAMA_FATAL_WARNINGS: "packages are built with compilers upstream does not test (mingw, cross gcc)",
  },
  acceleratorDefines: true,
  tokens: null,
  toolchainFlags: {
    "windows-x86_64-mingw": {
      cFlags: MINGW_THREAD_THROTTLING,
      defines: { BUILD_SHARED_LIBS: "ON" },
      reason:
        "Debian 12's mingw-w64 headers lack THREAD_POWER_THROTTLING_STATE and its constants, used by ggml-cpu.c; their layout and values equal PROCESS_POWER_THROTTLING_*, so they are aliased by compiler defines instead of editing the source. llama.cpp defaults to static libraries under MinGW, but GGML_BACKEND_DL (CPU variants loaded at run time) needs BUILD_SHARED_LIBS=ON",
    },
  },
};

export const HELLO: EngineProfile = {
  id: "hello",
  name: "Hello engine",
  description: "A tiny CMake project shaped like llama.cpp's outputs: the packer's demo and test fixture",
  modelFormats: ["gguf"],
  source: { kind: "local", dir: "fixtures/hello" },
  sourceMarkers: ["CMakeLists.txt", "src/hello-server.cpp"],
  versionRules: [{ kind: "cmake-project", file: "CMakeLists.txt" }],
  cmakeTarget: "hello-server",
  serverBinary: "hello-server",
  binaryDir: "bin",
  licenseFiles: ["LICENSE"],
  runtimeModules: {
    prefix: { default: "libhello-", windows: "hello-" },
    extension: { linux: ".so", macos: ".so", windows: ".dll" },
    buildDir: "bin",
    exclude: ["base"],
  },
  cmakeDefines: {},
  defineReasons: {},
  acceleratorDefines: false,
  tokens: ["cpu"],
  toolchainFlags: {},
};

const ENGINES: readonly EngineProfile[] = [LLAMA_CPP, HELLO];

export function listEngineProfiles(): EngineProfile[] {
  return [...ENGINES];
}

/** The engine profile with this id; a UsageError naming the known ids otherwise. */
export function getEngineProfile(id: string): EngineProfile {
  const found = ENGINES.find((e) => e.id === id);
  if (!found) {
    throw new UnknownProfileError(`unknown engine ${JSON.stringify(id)}`, `pass --engine with one of: ${ENGINES.map((e) => e.id).join(", ")}`);
  }
  return found;
}
