import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UsageError } from "@baiengine/cli-kit";
import { z } from "zod";

const Pattern = z.string().refine((p) => {
  try {
    new RegExp(p, "m");
    return true;
  } catch {
    return false;
  }
}, "not a regular expression");

/** How the acceptance run serves the tiny model on one engine and reads the server's log (data/serve.json). */
export const ServeKit = z.strictObject({
  mode: z.enum(["http", "once"]),
  /** Server arguments; `{model}` and `{port}` are replaced. */
  args: z.array(z.string().min(1)).min(1),
  health: z.string().startsWith("/").optional(),
  request: z.strictObject({ path: z.string().startsWith("/"), body: z.record(z.string(), z.unknown()) }).optional(),
  /** Groups: layers offloaded, layers in all. */
  offloaded: Pattern,
  /** Group: the device a model buffer lies on (`CUDA0`). */
  deviceBuffer: Pattern,
  /** Group: generated tokens per second. */
  tokensPerSecond: Pattern,
});
export type ServeKit = z.infer<typeof ServeKit>;

const ServeFile = z.strictObject({ $comment: z.string(), engines: z.record(z.string(), ServeKit) });

let kits: Record<string, ServeKit> | null = null;

/** The serve kit of an engine, from data/serve.json (validated when loaded); UsageError when it has none. */
export function serveKit(engine: string): ServeKit {
  if (!kits) {
    const file = fileURLToPath(new URL("../data/serve.json", import.meta.url));
    const parsed = ServeFile.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`);
    for (const [id, kit] of Object.entries(parsed.data.engines)) {
      if (kit.mode === "http" && (!kit.health || !kit.request)) throw new Error(`${file}: engines.${id}: an http kit needs health and request`);
    }
    kits = parsed.data.engines;
  }
  const kit = kits[engine];
  if (!kit) throw new UsageError(`the GPU acceptance run knows no way to serve a model on engine ${engine}`, `engines with a serve kit: ${Object.keys(kits).join(", ")}`);
  return kit;
}
