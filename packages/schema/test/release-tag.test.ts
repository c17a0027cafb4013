import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { packageUrl, releaseTag } from "../src/index.js";

const workflow = fileURLToPath(new URL("../../../.github/workflows/release-engine.yml", import.meta.url));
const cases: [string, string][] = [
  ["b4618", "llama-cpp-vb4618"],
  ["0.3.1", "llama-cpp-v0.3.1"],
  ["v0.3.1", "llama-cpp-v0.3.1"],
  ["v1", "llama-cpp-v1"],
  ["1.0.0-rc.1", "llama-cpp-v1.0.0-rc.1"],
];

describe("release tags for versions that already start with v", () => {
  it.each(cases)("%s -> %s", (version, tag) => {
    expect(releaseTag("llama-cpp", version)).toBe(tag);
  });

  it("the download URL of a v-version names the single-v tag", () => {
    expect(packageUrl({ baseUrl: "https://h.example/dl" }, "hello", { filename: "hello-v0.3.1-linux-x86_64-cpu.baiengine" })).toBe(
      "https://h.example/dl/hello-v0.3.1/hello-v0.3.1-linux-x86_64-cpu.baiengine",
    );
  });

  it("the release workflow's shell computes the same tags", () => {
    const line = /^\s*(if \[\[ "\$VERSION" =~ .*tag=.*fi)$/m.exec(readFileSync(workflow, "utf8"))?.[1];
    expect(line, "release-engine.yml computes the tag").toBeDefined();
    for (const [version] of cases) {
      const tag = execFileSync("bash", ["-c", `${line}\nprintf %s "$tag"`], { env: { ENGINE: "llama-cpp", VERSION: version } }).toString();
      expect(tag).toBe(releaseTag("llama-cpp", version));
    }
  });
});
