// The `pack-cell` turbo task: packs the one cell named by the BAIENGINE_* variables into
// .cells/out, which turbo caches as the task's output. Run by `matrix build --host`, not by people.
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { createProgram, programVersion, runCli, withReporter } from "@baiengine/cli-kit";
import { pack } from "@baiengine/packer";
import { isArch, isOs } from "@baiengine/schema";
import { MatrixUsageError } from "../errors.js";
import { CELL_OUT_DIR } from "../host/turbo-cell.js";

const program = createProgram("pack-cell", "Pack the build cell named by BAIENGINE_CELL (a turbo task of `matrix build --host`).", programVersion(import.meta.url)).action(async () => {
  const env = process.env;
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new MatrixUsageError(`${name} is not set`, "pack-cell is run by `pnpm matrix build --host`, which sets the cell's variables");
    return value;
  };
  const os = need("BAIENGINE_OS");
  const arch = need("BAIENGINE_ARCH");
  if (!isOs(os) || !isArch(arch)) throw new MatrixUsageError(`BAIENGINE_OS/BAIENGINE_ARCH ${os}/${arch} is not a platform`);
  const out = join(process.cwd(), CELL_OUT_DIR);
  // Only this cell's package may be in the output turbo caches.
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const flags = JSON.parse(env["BAIENGINE_PACK_FLAGS"] || "{}") as { cmakeArgs?: string[] };
  const result = await withReporter({}, (reporter) => pack(
    {
      engine: need("BAIENGINE_ENGINE"),
      ...(env["BAIENGINE_VERSION"] ? { version: env["BAIENGINE_VERSION"] } : {}),
      os,
      arch,
      accel: need("BAIENGINE_ACCEL"),
      ...(env["BAIENGINE_SOURCE"] ? { source: env["BAIENGINE_SOURCE"] } : {}),
      out,
      ...(flags.cmakeArgs ? { cmakeArgs: flags.cmakeArgs } : {}),
    },
    { reporter },
  ));
  process.stdout.write(`${need("BAIENGINE_CELL")}: ${result.file} ${result.size} ${result.sha256}\n`);
  process.stdout.write(`outputs: ${(await readdir(out)).join(", ")}\n`);
});

await runCli(program);
