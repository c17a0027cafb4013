import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { tempDirSync } from "@baiengine/test-kit";

const packageDir = join(import.meta.dirname, "..");
const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
const dir = tempDirSync("schema-consumer");

describe("a downstream TypeScript consumer", () => {
  // A whole tsc run over zod's and this package's declarations: 26 s alone on a loaded 2-core machine,
  // over 60 s when the workspace's suites run beside it. The limit only guards against a hang.
  it("imports the built package by name and type-checks", { timeout: 300_000 }, () => {
    mkdirSync(join(dir, "node_modules", "@baiengine"), { recursive: true });
    symlinkSync(packageDir, join(dir, "node_modules", "@baiengine", "schema"), "dir");
    symlinkSync(join(packageDir, "node_modules", "zod"), join(dir, "node_modules", "zod"), "dir");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(dir, "consumer.ts"),
      `import { Registry, Manifest, packageUrl, parseRegistry } from "@baiengine/schema";
const r: Registry = parseRegistry(JSON.parse("{}"));
const m: Manifest = Manifest.parse({});
const url: string = packageUrl(r, "llama-cpp", r.engines[0]!.packages[0]!);
const wrong: number = m.version; // must fail: version is a string
export { url, wrong, Registry };
`,
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ["consumer.ts"] }),
    );
    let output = "";
    try {
      execFileSync(process.execPath, [tsc, "-p", dir], { encoding: "utf8" });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout);
    }
    // Exactly the one deliberate error: everything else resolved and type-checked through dist/*.d.ts.
    expect(output.trim().split("\n")).toEqual([expect.stringMatching(/consumer\.ts\(5,7\): error TS2322: Type 'string' is not assignable to type 'number'/)]);
  });
});
