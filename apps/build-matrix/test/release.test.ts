import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pack } from "@baiengine/packer";
import { parseRegistry } from "@baiengine/schema";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { MatrixFailureError } from "../src/errors.js";
import { publishRegistry } from "../src/release/publish-registry.js";
import { verifyRelease } from "../src/release/verify-release.js";
import { matrix, REPO_ROOT } from "./helpers.js";
import { tempDir } from "@baiengine/test-kit";

let tmp: string;
let packagesDir: string;
let packageName: string;
let packageSha: string;

const git = (cwd: string, ...args: string[]) =>
  execa("git", ["-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=main", ...args], { cwd });

/** A bare remote holding the repository's engines.json, and a clone of it. */
async function remoteWithClone(name: string): Promise<{ remote: string; clone: (n: string) => Promise<string> }> {
  const remote = join(tmp, `${name}.git`);
  await git(tmp, "init", "--bare", "-b", "main", remote);
  const seed = join(tmp, `${name}-seed`);
  await git(tmp, "clone", remote, seed);
  await copyFile(join(REPO_ROOT, "engines.json"), join(seed, "engines.json"));
  await git(seed, "add", "engines.json");
  await git(seed, "commit", "-m", "registry");
  await git(seed, "push", "origin", "HEAD:main");
  return {
    remote,
    clone: async (n: string) => {
      const dir = join(tmp, `${name}-${n}`);
      await git(tmp, "clone", remote, dir);
      return dir;
    },
  };
}

const remoteRegistry = async (remote: string) => parseRegistry(JSON.parse((await git(tmp, "--git-dir", remote, "show", "main:engines.json")).stdout));

beforeAll(async () => {
  tmp = await tempDir("bm-release");
  packagesDir = join(tmp, "release-packages");
  // a real package, built from the hello fixture by the packer
  const result = await pack({ engine: "hello", accel: "cpu", out: packagesDir, cacheDir: join(tmp, "cache") });
  packageName = result.file.split(/[\\/]/).pop()!;
  packageSha = result.sha256;
}, 240_000);

describe("release verify", () => {
  it("accepts the packer's packages (verifier and .sha256)", async () => {
    const checks = await verifyRelease({ engine: "hello", version: "0.1.0", packagesDir });
    expect(checks.map((c) => c.report.sha256)).toEqual([packageSha]);
    const cli = await matrix(["release", "verify", "--engine", "hello", "--version", "0.1.0", "--packages-dir", packagesDir]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`ok ${join(packagesDir, packageName)} ${packageSha}`);
  });

  it("refuses a damaged package, a stale .sha256 and another version's file, listing each", async () => {
    const bad = join(tmp, "bad-packages");
    await mkdir(bad, { recursive: true });
    const bytes = await readFile(join(packagesDir, packageName));
    const at = bytes.length - 20;
    bytes[at] = bytes[at]! ^ 0xff;
    await writeFile(join(bad, packageName), bytes);
    await copyFile(join(packagesDir, `${packageName}.sha256`), join(bad, `${packageName}.sha256`));
    await copyFile(join(packagesDir, packageName), join(bad, packageName.replace("0.1.0", "0.2.0")));
    const run = matrix(["release", "verify", "--engine", "hello", "--version", "0.1.0", "--packages-dir", bad]);
    await expect(verifyRelease({ engine: "hello", version: "0.1.0", packagesDir: bad })).rejects.toThrow(MatrixFailureError);
    const cli = await run;
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/error: 2 of 2 package\(s\) failed verification/);
    expect(cli.stderr).toContain("belongs to hello 0.2.0, not hello 0.1.0");
    expect(cli.stderr).toMatch(/sha256 [0-9a-f]{64} differs from/);
  });
});

describe("release publish (registry update, commit, push)", () => {
  it("records the packages, commits and pushes", async () => {
    const { remote, clone } = await remoteWithClone("plain");
    const repo = await clone("release");
    const cli = await matrix(["release", "publish", "--engine", "hello", "--version", "0.1.0", "--packages-dir", packagesDir, "--repo", repo]);
    expect(cli.stderr).not.toMatch(/error/);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^pushed [0-9a-f]{40} after 1 attempt\(s\), 0 rebase\(s\)$/m);
    const registry = await remoteRegistry(remote);
    const engine = registry.engines.find((e) => e.id === "hello")!;
    expect(engine.latestVersion).toBe("0.1.0");
    expect(engine.packages).toEqual([expect.objectContaining({ filename: packageName, sha256: packageSha, os: "linux", arch: "x86_64", accelerator: "cpu" })]);
    expect((await git(tmp, "--git-dir", remote, "log", "-1", "--format=%s%n%an", "main")).stdout).toBe("registry: hello 0.1.0\ngithub-actions[bot]");
    // a rerun changes nothing and pushes nothing
    const again = await publishRegistry({ repoDir: repo, engine: "hello", version: "0.1.0", packagesDir });
    expect(again).toEqual({ changed: false, commit: null, attempts: 0, rebased: 0 });
  });

  it("retries a non-fast-forward push by rebasing when another clone pushed first", async () => {
    const { remote, clone } = await remoteWithClone("race");
    const release = await clone("release");
    const other = await clone("other");
    await writeFile(join(other, "NOTES.md"), "another change\n");
    await git(other, "add", "NOTES.md");
    await git(other, "commit", "-m", "other change");
    await git(other, "push", "origin", "HEAD:main");
    const theirs = (await git(other, "rev-parse", "HEAD")).stdout.trim();

    const result = await publishRegistry({ repoDir: release, engine: "hello", version: "0.1.0", packagesDir });
    expect(result).toMatchObject({ changed: true, attempts: 2, rebased: 1 });
    const head = (await git(tmp, "--git-dir", remote, "rev-parse", "main")).stdout.trim();
    expect(head).toBe(result.commit);
    // never forced: the other clone's commit is still in the branch, under ours
    expect((await git(tmp, "--git-dir", remote, "rev-parse", `${head}^`)).stdout.trim()).toBe(theirs);
    const engine = (await remoteRegistry(remote)).engines.find((e) => e.id === "hello")!;
    expect(engine.latestVersion).toBe("0.1.0");
  });

  it("re-applies the update on top when the other push changed engines.json too", async () => {
    const { remote, clone } = await remoteWithClone("conflict");
    const release = await clone("release");
    const other = await clone("other");
    const file = join(other, "engines.json");
    const changed = (await readFile(file, "utf8")).replace(/"lastUpdated": "[^"]+"/, '"lastUpdated": "2030-01-01T00:00:00Z"');
    await writeFile(file, changed);
    await git(other, "commit", "-am", "other registry change");
    await git(other, "push", "origin", "HEAD:main");
    const theirs = (await git(other, "rev-parse", "HEAD")).stdout.trim();

    const result = await publishRegistry({ repoDir: release, engine: "hello", version: "0.1.0", packagesDir });
    expect(result).toMatchObject({ changed: true, attempts: 2, rebased: 1 });
    const head = (await git(tmp, "--git-dir", remote, "rev-parse", "main")).stdout.trim();
    expect((await git(tmp, "--git-dir", remote, "rev-parse", `${head}^`)).stdout.trim()).toBe(theirs);
    expect((await remoteRegistry(remote)).engines.map((e) => e.id)).toEqual(["hello"]);
  });

  it("signs a registry that has a TUF root (keys from the environment) and commits its metadata", async () => {
    const { remote, clone } = await remoteWithClone("signed");
    const seed = await clone("trust");
    const keys = join(tmp, "signed-keys");
    const bin = join(dirname(createRequire(import.meta.url).resolve("@baiengine/registry-cli/package.json")), "bin", "engine-registry.js");
    await execa(process.execPath, [bin, "trust", "init", "--metadata-dir", "metadata", "--keys-dir", keys], { cwd: seed });
    await git(seed, "add", "metadata");
    await git(seed, "commit", "-m", "trust root");
    await git(seed, "push", "origin", "HEAD:main");
    const release = await clone("release");
    const env: Record<string, string> = {};
    for (const name of await readdir(keys)) {
      const role = name.split("-")[0]!;
      if (role !== "root") env[`BAIENGINE_TUF_${role.toUpperCase()}_KEY`] = await readFile(join(keys, name), "utf8");
    }
    Object.assign(process.env, env);
    try {
      const result = await publishRegistry({ repoDir: release, engine: "hello", version: "0.1.0", packagesDir });
      expect(result).toMatchObject({ changed: true, attempts: 1 });
    } finally {
      for (const name of Object.keys(env)) delete process.env[name];
    }
    const shown = async (path: string) => JSON.parse((await git(tmp, "--git-dir", remote, "show", `main:${path}`)).stdout);
    expect((await shown("metadata/timestamp.json")).signed.version).toBe(1);
    const targets = (await shown("metadata/1.targets.json")).signed.targets;
    expect(targets[`hello-v0.1.0/${packageName}`]).toMatchObject({ hashes: { sha256: packageSha } });
    expect(Object.keys(targets)).toContain("engines.json");
  });

  it("fails with a hint when the push is refused for another reason, never retrying it", async () => {
    const { clone } = await remoteWithClone("gone");
    const release = await clone("release");
    const error = await publishRegistry({ repoDir: release, engine: "hello", version: "0.1.0", packagesDir, remote: join(tmp, "missing.git") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MatrixFailureError);
    expect((error as Error).message).toMatch(/^git push failed/);
  });
});
