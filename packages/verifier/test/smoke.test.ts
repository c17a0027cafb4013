import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planSmoke, verifyPackage } from "../src/index.js";
import { gzip, tarArchive, VALID_MANIFEST } from "./helpers/tar-writer.js";
import { tempDirSync } from "@baiengine/test-kit";

const work = tempDirSync("verifier-smoke");
const host = { os: "linux", arch: "x86_64" } as const;

describe("smoke planning (pure)", () => {
  it("runs natively on the same platform", () => {
    const plan = planSmoke({ os: "linux", arch: "x86_64" }, false, host, () => false);
    expect(typeof plan === "object" && plan.name).toBe("native");
  });

  it("skips other platforms without --emulate, and says why", () => {
    expect(planSmoke({ os: "windows", arch: "x86_64" }, false, host, () => true)).toMatch(/cannot run on this linux-x86_64 host \(pass --emulate/);
    expect(planSmoke({ os: "macos", arch: "aarch64" }, true, host, () => true)).toMatch(/no emulator/);
  });

  it("runs nothing on a machine that is not a platform of the registry", () => {
    expect(planSmoke({ os: "linux", arch: "x86_64" }, true, null, () => true)).toMatch(/is not a platform of the registry: no package runs here/);
  });

  it("uses qemu-aarch64 with the sysroot and wine with a private prefix when installed", () => {
    const qemu = planSmoke({ os: "linux", arch: "aarch64" }, true, host, (c) => c === "qemu-aarch64");
    expect(typeof qemu === "object" && [qemu.command, ...qemu.args("/x/llama-server")]).toEqual(["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu", "/x/llama-server"]);
    const wine = planSmoke({ os: "windows", arch: "x86_64" }, true, host, (c) => c === "wine");
    expect(typeof wine === "object" && wine.env("/t")).toMatchObject({ WINEPREFIX: "/t/wineprefix", WINEDEBUG: "-all" });
    expect(typeof wine === "object" && wine.judgeByOutput).toBe(true);
    expect(planSmoke({ os: "linux", arch: "aarch64" }, true, host, () => false)).toMatch(/qemu-aarch64 is not installed/);
  });
});

describe("smoke run of a linux-aarch64 package under qemu", () => {
  it("extracts and runs `llama-server --version` through qemu-aarch64", async () => {
    const src = join(work, "arm");
    mkdirSync(src);
    writeFileSync(
      join(src, "server.c"),
      '#include <stdio.h>\n#include <string.h>\nint main(int c, char **v) { if (c > 1 && !strcmp(v[1], "--version")) { puts("version: arm64 test"); return 0; } return 2; }\n',
    );
    try {
      execFileSync("aarch64-linux-gnu-gcc", ["-O1", "-o", "llama-server", "server.c"], { cwd: src, stdio: "pipe" });
    } catch (error) {
      throw new Error(`aarch64-linux-gnu-gcc is needed for this test: ${(error as Error).message}`);
    }
    const { readFileSync } = await import("node:fs");
    const manifest = { ...VALID_MANIFEST, arch: "aarch64" };
    const file = join(work, "llama-cpp-b4618-linux-aarch64-cpu.baiengine");
    writeFileSync(
      file,
      gzip(
        tarArchive([
          { name: "package/", type: "5" },
          { name: "package/manifest.json", data: JSON.stringify(manifest) },
          { name: "package/llama-server", data: readFileSync(join(src, "llama-server")), mode: 0o755 },
        ]),
      ),
    );
    const skipped = await verifyPackage(file, { smoke: true });
    expect(skipped.ok).toBe(true);
    expect(skipped.smoke).toMatchObject({ ran: false, skippedReason: expect.stringMatching(/--emulate/) });

    const report = await verifyPackage(file, { smoke: true, emulate: true });
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.smoke).toMatchObject({ ran: true, runner: "qemu-aarch64" });
    expect(report.smoke?.output).toContain("version: arm64 test");
  });
});
