import { PLATFORM_MATRIX } from "@baiengine/schema";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import type { GithubMatrixRow } from "../src/github-matrix.js";
import { REPO_ROOT, matrix } from "./helpers.js";

const githubRows = async (args: string[]): Promise<GithubMatrixRow[]> => {
  const run = await matrix([...args, "--format", "github"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  const parsed = JSON.parse(run.stdout) as { include: GithubMatrixRow[] };
  expect(Object.keys(parsed)).toEqual(["include"]);
  return parsed.include;
};

describe("matrix --format github", () => {
  it("covers every row of the design's platform matrix through `pnpm matrix`, each with a runs-on", async () => {
    const run = await execa("pnpm", ["--silent", "matrix", "--engine", "llama-cpp", "--version", "b4618", "--format", "github"], { cwd: REPO_ROOT });
    const rows = (JSON.parse(run.stdout) as { include: GithubMatrixRow[] }).include;
    const design = PLATFORM_MATRIX.filter((r) => r.origin === "design").flatMap((r) => r.accelerators.map((a) => ({ os: r.os, arch: r.arch, a })));
    expect(design).toHaveLength(8);
    for (const { os, arch, a } of design) {
      const hits = rows.filter((r) => r.os === os && r.arch === arch && r.accelerator.replace(/\d+$/, "") === a);
      expect(hits.length, `${os}/${arch}/${a}`).toBeGreaterThan(0);
    }
    for (const row of rows) {
      expect(row["runs-on"]).toMatch(/^(ubuntu|macos|windows)-/);
      expect(row.package).toBe(`llama-cpp-b4618-${row.os}-${row.arch}-${row.accelerator}.baiengine`);
      expect(row["pack-command"]).toBe(
        `pnpm pack-engine --engine llama-cpp --version b4618 --os ${row.os} --arch ${row.arch} --accel ${row.accelerator} --source engine-src --out dist/engines`,
      );
      expect(row["verify-command"]).toBe(`pnpm verify-engine dist/engines/${row.package}${row.smoke ? " --smoke" : ""}`);
      expect(row["source-repository"]).toBe("https://github.com/ggml-org/llama.cpp");
      expect(row["source-ref"]).toBe("b4618");
      expect(row.artifact).toBe(`baiengine-${row.id}`);
    }
    // ids are unique: they name artifacts and ccache keys
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it("puts each cell on its own platform's runner with the toolkit set-up it needs", async () => {
    const rows = await githubRows(["--engine", "llama-cpp", "--version", "b4618"]);
    const by = (id: string) => rows.find((r) => r.id === `llama-cpp-${id}`)!;
    expect(by("macos-aarch64-metal")["runs-on"]).toBe("macos-14");
    expect(by("macos-x86_64-cpu")["runs-on"]).toBe("macos-13");
    expect(by("windows-x86_64-cpu")["runs-on"]).toBe("windows-2022");
    expect(by("linux-aarch64-cpu")["runs-on"]).toBe("ubuntu-22.04-arm");
    expect(by("linux-x86_64-cuda12").container).toMatch(/^nvidia\/cuda:12\.[\d.]+-devel-ubuntu22\.04$/);
    expect(by("linux-x86_64-cuda13").container).toMatch(/^nvidia\/cuda:13\.[\d.]+-devel-ubuntu22\.04$/);
    expect(by("linux-x86_64-rocm6").container).toMatch(/^rocm\/dev-ubuntu-22\.04:6/);
    expect(by("windows-x86_64-cuda12")["cuda-toolkit"]).toMatch(/^12\./);
    expect(by("linux-x86_64-vulkan")["setup-script"]).toContain("vulkansdk-linux-x86_64");
    // GPU packages cannot start on GPU-less hosted runners; cpu and metal ones can
    expect(rows.filter((r) => r.smoke).map((r) => r.accelerator).sort()).toEqual(["cpu", "cpu", "cpu", "cpu", "cpu", "metal"]);
    expect(by("linux-x86_64-cuda12").smoke).toBe(false);
  });

  it("builds local engines from the repository's fixture, with the version read from the source", async () => {
    const rows = await githubRows(["--engine", "hello"]);
    expect(rows.map((r) => r.id).sort()).toEqual(
      ["hello-linux-aarch64-cpu", "hello-linux-x86_64-cpu", "hello-macos-aarch64-cpu", "hello-macos-x86_64-cpu", "hello-windows-x86_64-cpu"].sort(),
    );
    for (const r of rows) {
      expect(r["source-repository"]).toBe("");
      expect(r["pack-command"]).not.toContain("--source");
      expect(r["verify-command"]).toBe(`pnpm verify-engine dist/engines/hello-*-${r.os}-${r.arch}-cpu.baiengine --smoke`);
    }
  });
});

describe("every engine's cells, from the profiles", () => {
  it("whisper-cpp: its source comes from npm (pack-engine fetches it), so CI clones nothing and passes no --source", async () => {
    const rows = await githubRows(["--engine", "whisper-cpp", "--version", "1.9.1", "--os", "linux"]);
    expect(rows.map((r) => r.id)).toEqual([
      "whisper-cpp-linux-x86_64-cpu",
      "whisper-cpp-linux-aarch64-cpu",
      "whisper-cpp-linux-x86_64-cuda12",
      "whisper-cpp-linux-x86_64-cuda13",
      "whisper-cpp-linux-x86_64-rocm6",
      "whisper-cpp-linux-x86_64-vulkan",
    ]);
    for (const r of rows) {
      expect([r["source-repository"], r["source-ref"]]).toEqual(["", ""]);
      expect(r["pack-command"]).toBe(`pnpm pack-engine --engine whisper-cpp --version 1.9.1 --os ${r.os} --arch ${r.arch} --accel ${r.accelerator} --out dist/engines`);
    }
  });

  it("`pnpm matrix` with no engine lists every engine's cells (git engines without a tag until --version names one)", async () => {
    const cells = JSON.parse((await matrix(["--format", "json"])).stdout) as { engine: string; source: { kind: string; ref?: string | null } }[];
    const engines = [...new Set(cells.map((c) => c.engine))];
    expect(engines).toEqual(["llama-cpp", "hello", "whisper-cpp", "sd-cpp"]);
    expect(cells.find((c) => c.engine === "sd-cpp")?.source).toEqual({ kind: "git", repository: "https://github.com/leejet/stable-diffusion.cpp", ref: null });
    expect(cells.find((c) => c.engine === "whisper-cpp")?.source).toEqual({ kind: "npm", spec: "nodejs-whisper@0.3.1" });
  });
});

describe("matrix filters", () => {
  it("narrows by os, arch and accelerator token or family; lists are comma-separated or repeated", async () => {
    const base = ["--engine", "llama-cpp", "--version", "b4618"];
    expect((await githubRows([...base, "--os", "linux", "--accel", "cuda"])).map((r) => r.id)).toEqual(["llama-cpp-linux-x86_64-cuda12", "llama-cpp-linux-x86_64-cuda13"]);
    expect((await githubRows([...base, "--accel", "cuda12"])).map((r) => r.id)).toEqual(["llama-cpp-linux-x86_64-cuda12", "llama-cpp-windows-x86_64-cuda12"]);
    expect((await githubRows([...base, "--arch", "aarch64"])).map((r) => r.id)).toEqual(["llama-cpp-linux-aarch64-cpu", "llama-cpp-macos-aarch64-metal", "llama-cpp-macos-aarch64-cpu"]);
    expect((await githubRows([...base, "--os", "macos,windows", "--accel", "cpu"])).map((r) => r.id)).toEqual([
      "llama-cpp-windows-x86_64-cpu",
      "llama-cpp-macos-aarch64-cpu",
      "llama-cpp-macos-x86_64-cpu",
    ]);
    expect((await githubRows([...base, "--os", "macos", "--os", "windows", "--accel", "metal"])).map((r) => r.id)).toEqual(["llama-cpp-macos-aarch64-metal"]);
  });

  it("prints json and a table", async () => {
    const json = await matrix(["--engine", "hello", "--os", "linux", "--arch", "x86_64", "--format", "json"]);
    expect(JSON.parse(json.stdout)).toMatchObject([{ id: "hello-linux-x86_64-cpu", runsOn: "ubuntu-22.04", source: { kind: "local", dir: "packages/packer/fixtures/hello" } }]);
    const table = await matrix(["--engine", "hello", "--os", "linux"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^cell\s+runs-on\s+set-up\s+smoke\s+pack$/);
    expect(table.stdout).toContain("hello-linux-aarch64-cpu");
  });
});

describe("stable-diffusion.cpp's cells", () => {
  it("clone its release tag master-<version>", async () => {
    const rows = await githubRows(["--engine", "sd-cpp", "--version", "827-97d2990", "--os", "linux", "--arch", "x86_64", "--accel", "cpu"]);
    expect(rows.map((r) => [r["source-ref"], r.package])).toEqual([["master-827-97d2990", "sd-cpp-827-97d2990-linux-x86_64-cpu.baiengine"]]);
  });
});

describe("matrix errors", () => {
  const cases: [string, string[], RegExp][] = [
    ["an unknown engine", ["--engine", "nope"], /error: unknown engine "nope"\n {2}hint: pass --engine with one of: llama-cpp, hello, whisper-cpp, sd-cpp/],
    ["a filter that matches nothing", ["--engine", "hello", "--accel", "cuda"], /error: no build cell matches --accel cuda for engine hello\n {2}hint: cells that exist: linux\/x86_64\/cpu/],
    ["a combination that matches nothing", ["--engine", "llama-cpp", "--version", "b1", "--os", "macos", "--accel", "rocm"], /error: no build cell matches --os macos --accel rocm/],
    ["an unknown os", ["--os", "freebsd"], /error: --os "freebsd" is not one of macos, linux, windows/],
    ["an unknown accelerator", ["--accel", "tpu"], /error: --accel "tpu" is not an accelerator/],
    ["a git engine without a version", ["--engine", "llama-cpp"], /error: engine llama-cpp is built from a git tag: pass --version\n {2}hint: e\.g\. --engine llama-cpp --version b4618\n/],
    ["stable-diffusion.cpp without a version: its tag's shape", ["--engine", "sd-cpp"], /hint: e\.g\. --engine sd-cpp --version 827-97d2990 \(git tag master-827-97d2990\)\n/],
    ["a CI matrix of every engine without a version", ["--format", "github"], /error: engine llama-cpp is built from a git tag: pass --version/],
    ["an unknown format", ["--format", "yaml"], /argument 'yaml' is invalid/],
  ];
  it.each(cases)("%s exits 2 with one line and nothing on stdout", async (_name, args, message) => {
    const run = await matrix(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
