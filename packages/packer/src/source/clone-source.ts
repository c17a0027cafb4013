import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { renameWithRetry } from "@baiengine/cli-kit/system";
import { execa } from "execa";
import { SourceError } from "../errors.js";

/** Clones `tag` of `repository` (depth 1) into `dir`, atomically; one line saying to pass --source when it cannot. */
export async function cloneSource(repository: string, tag: string, dir: string, signal?: AbortSignal): Promise<void> {
  if (existsSync(dir)) return;
  await mkdir(path.dirname(dir), { recursive: true });
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  const r = await execa("git", ["clone", "--quiet", "--depth", "1", "--branch", tag, repository, partial], {
    reject: false,
    stdin: "ignore",
    env: { GIT_TERMINAL_PROMPT: "0" },
    ...(signal ? { cancelSignal: signal } : {}),
  });
  if (r.exitCode !== 0) {
    await rm(partial, { recursive: true, force: true });
    const why = r.stderr.split("\n").find((l) => l.trim()) ?? r.shortMessage;
    throw new SourceError(`cannot clone ${repository} at ${tag}: ${why}`, "pass --source <dir> with a checkout of that version (no network is needed then)");
  }
  await renameWithRetry(partial, dir);
}
