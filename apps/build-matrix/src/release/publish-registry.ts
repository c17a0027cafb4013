import { stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type Reporter, silentReporter } from "@baiengine/schema";
import { execa } from "execa";
import { MatrixFailureError, MatrixUsageError } from "../errors.js";

export interface PublishRegistryOptions {
  /** A clone of the repository that holds the registry file, on the branch to publish to. */
  repoDir: string;
  /** The engine id, or with `runtime` the runtime id. */
  engine: string;
  /** `engine` names a runtime: publish its .bairuntime packs (`engine-registry update --runtime`). */
  runtime?: boolean;
  version: string;
  /** Absolute folder of the release's packages. */
  packagesDir: string;
  prerelease?: boolean;
  /** Registry file relative to repoDir. */
  registryFile?: string;
  /** Remote name or URL to pull from and push to (a URL carries the token in CI). */
  remote?: string;
  /** Branch to push; the current branch when absent. */
  branch?: string;
  maxAttempts?: number;
  author?: { name: string; email: string };
  /** Rewrites the registry file in `cwd`; runs `engine-registry update` by default. */
  updateRegistry?: (cwd: string) => Promise<void>;
  reporter?: Reporter;
}

export interface PublishRegistryResult {
  changed: boolean;
  commit: string | null;
  attempts: number;
  rebased: number;
}

/** The registry CLI of this repository, as `pnpm registry` runs it. */
export function registryCliUpdate(options: Pick<PublishRegistryOptions, "engine" | "runtime" | "version" | "packagesDir" | "prerelease" | "registryFile">) {
  return async (cwd: string): Promise<void> => {
    const require = createRequire(import.meta.url);
    const bin = join(dirname(require.resolve("@baiengine/registry-cli/package.json")), "bin", "engine-registry.js");
    const args = ["update", options.runtime ? "--runtime" : "--engine", options.engine, "--version", options.version, "--packages-dir", options.packagesDir];
    if (options.registryFile) args.push("--registry", options.registryFile);
    if (options.prerelease) args.push("--prerelease");
    const run = await execa(process.execPath, [bin, ...args], { cwd, reject: false, all: true });
    if (run.exitCode !== 0) throw new MatrixFailureError(`registry update failed: ${(run.all ?? "").trim()}`, "fix the packages or the index, then rerun the release");
    // A registry with a TUF root is signed after each update (keys from the BAIENGINE_TUF_*_KEY secrets).
    const registryFile = options.registryFile ?? "engines.json";
    if (!(await stat(join(cwd, metadataDirOf(registryFile), "root.json")).then(() => true, () => false))) return;
    const sign = await execa(process.execPath, [bin, "sign", "--registry", registryFile], { cwd, reject: false, all: true });
    if (sign.exitCode !== 0) throw new MatrixFailureError(`registry sign failed: ${(sign.all ?? "").trim()}`, "give the release job the BAIENGINE_TUF_TARGETS_KEY, _SNAPSHOT_KEY and _TIMESTAMP_KEY secrets");
  };
}

/** The TUF metadata folder of a registry file: `metadata/` beside it (relative to the repository). */
export function metadataDirOf(registryFile: string): string {
  return join(dirname(registryFile), "metadata");
}

/**
 * Updates the registry, commits it and pushes, never by force: a push refused because another
 * release pushed first is retried after `git pull --rebase`; when the rebase conflicts (both
 * rewrote the index), the update is applied again on top of the remote branch.
 */
export async function publishRegistry(options: PublishRegistryOptions): Promise<PublishRegistryResult> {
  const reporter = options.reporter ?? silentReporter;
  const cwd = options.repoDir;
  if (!(await stat(cwd).then((s) => s.isDirectory(), () => false))) {
    throw new MatrixUsageError(`repository folder ${cwd} does not exist or is not a folder`, "pass --repo with a clone of the registry repository");
  }
  const registryFile = options.registryFile ?? "engines.json";
  const remote = options.remote ?? "origin";
  const maxAttempts = options.maxAttempts ?? 5;
  const update = options.updateRegistry ?? registryCliUpdate(options);
  const author = options.author ?? { name: "github-actions[bot]", email: "41898283+github-actions[bot]@users.noreply.github.com" };
  const git = (args: string[], reject = true) =>
    execa("git", ["-c", `user.name=${author.name}`, "-c", `user.email=${author.email}`, ...args], { cwd, reject, all: true });
  const branch = options.branch ?? (await git(["rev-parse", "--abbrev-ref", "HEAD"])).stdout.trim();
  const message = `registry: ${options.runtime ? "runtime " : ""}${options.engine} ${options.version}${options.prerelease ? " (pre-release)" : ""}`;

  const updateAndCommit = async (): Promise<boolean> => {
    await update(cwd);
    // The signed metadata beside the index (when the registry has some) is committed with it.
    const metadata = metadataDirOf(registryFile);
    const paths = (await stat(join(cwd, metadata)).then(() => true, () => false)) ? [registryFile, metadata] : [registryFile];
    const status = await git(["status", "--porcelain", "--", ...paths]);
    if (status.stdout.trim() === "") return false;
    await git(["add", "--", ...paths]);
    await git(["commit", "-m", message, "--", ...paths]);
    return true;
  };

  reporter.step?.("registry", `${options.engine} ${options.version}`);
  if (!(await updateAndCommit())) return { changed: false, commit: null, attempts: 0, rebased: 0 };
  let rebased = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const push = await git(["push", "--porcelain", remote, `HEAD:refs/heads/${branch}`], false);
    if (push.exitCode === 0) {
      const commit = (await git(["rev-parse", "HEAD"])).stdout.trim();
      reporter.log?.("info", `pushed ${commit} to ${branch} (attempt ${attempt})`);
      return { changed: true, commit, attempts: attempt, rebased };
    }
    const out = push.all ?? "";
    if (!racedByAnotherPush(push.stdout)) {
      throw new MatrixFailureError(`git push failed: ${out.trim().split("\n").slice(-3).join(" ")}`, "check the token's contents: write permission and the branch protection rules");
    }
    reporter.log?.("warn", `push to ${branch} was refused (another push came first); rebasing and retrying`);
    const pull = await git(["pull", "--rebase", remote, branch], false);
    rebased++;
    if (pull.exitCode !== 0) {
      // Both sides rewrote the index: start again from the remote branch and apply the update there.
      await git(["rebase", "--abort"], false);
      await git(["fetch", remote, branch]);
      await git(["reset", "--hard", "FETCH_HEAD"]);
      if (!(await updateAndCommit())) return { changed: false, commit: null, attempts: attempt, rebased };
    }
  }
  throw new MatrixFailureError(`git push still refused after ${maxAttempts} attempts`, "other pushes keep racing this one; rerun the release job (it is idempotent)");
}

/**
 * Whether `git push --porcelain` says the ref was refused because the remote moved on: its status
 * line (git-push(1), OUTPUT: `<flag>\t<from>:<to>\t<summary> (<reason>)`, on stdout) has flag `!`
 * and reason `fetch first` or `non-fast-forward`. A push refused for permissions prints no ref line.
 */
function racedByAnotherPush(porcelain: string): boolean {
  return porcelain.split("\n").some((line) => {
    const [flag, , summary] = line.split("\t");
    return flag === "!" && (summary === "[rejected] (fetch first)" || summary === "[rejected] (non-fast-forward)");
  });
}
