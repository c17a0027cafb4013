import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, createProgressReporter, detectEnvironment, escapeAnnotation, escapeAnnotationProperty } from "../src/index.js";

function sink() {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

describe("detectEnvironment", () => {
  it("treats CI and GitHub Actions as non-interactive", () => {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    expect(detectEnvironment({}, tty)).toEqual({ ci: false, githubActions: false, tty: true });
    expect(detectEnvironment({ CI: "true" }, tty)).toEqual({ ci: true, githubActions: false, tty: false });
    expect(detectEnvironment({ CI: "false" }, tty).ci).toBe(false);
    expect(detectEnvironment({ GITHUB_ACTIONS: "true" }, tty)).toEqual({ ci: true, githubActions: true, tty: false });
  });
});

describe("createProgressReporter", () => {
  it("prints steps and one line per tenth of progress when not on a TTY", () => {
    const out = sink();
    const reporter = createProgressReporter({ ci: true, githubActions: false, tty: false }, { stream: out.stream });
    reporter.step?.("build", "llama-server");
    for (let i = 0; i <= 100; i++) reporter.progress?.("build", i, 100);
    reporter.log?.("warn", "ccache not found");
    const lines = out.text().trim().split("\n");
    expect(lines[0]).toBe("» build: llama-server");
    expect(lines.filter((l) => l.startsWith("  build "))).toHaveLength(11);
    expect(lines.at(-2)).toBe("  build 100/100 (100%)");
    expect(lines.at(-1)).toBe("warning: ccache not found");
  });

  it("prints nothing when quiet (--json)", () => {
    const out = sink();
    const reporter = createProgressReporter({ ci: false, githubActions: false, tty: false }, { quiet: true, stream: out.stream });
    reporter.step?.("x");
    reporter.progress?.("x", 1, 2);
    reporter.stop();
    expect(out.text()).toBe("");
  });
});

describe("createLogger", () => {
  it("writes warnings and errors as workflow commands under GitHub Actions, escaped", async () => {
    const out = sink();
    const log = createLogger({ ci: true, githubActions: true, tty: false }, out.stream);
    log.warn("50% done\nnext");
    log.error("failed", "retry");
    await log.group("pack", async () => log.info("inside"));
    expect(out.text()).toBe("::warning::50%25 done%0Anext\n::error::failed\n  hint: retry\n::group::pack\ninside\n::endgroup::\n");
  });

  it("writes plain prefixes elsewhere", async () => {
    const out = sink();
    const log = createLogger({ ci: false, githubActions: false, tty: false }, out.stream);
    log.warn("w");
    log.error("e");
    expect(await log.group("g", async () => 42)).toBe(42);
    expect(out.text()).toBe("warning: w\nerror: e\ng\n");
  });

  it("escapes annotation properties", () => {
    expect(escapeAnnotation("a%b\r\n")).toBe("a%25b%0D%0A");
    expect(escapeAnnotationProperty("dir/a:b,c")).toBe("dir/a%3Ab%2Cc");
  });
});
