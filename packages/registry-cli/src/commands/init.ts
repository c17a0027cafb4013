import type { Rendered } from "@baiengine/cli-kit";
import { initRepository } from "../init/init-repository.js";

/** `init`: a new registry repository in `dir`. */
export async function initCommand(dir: string, opts: { baseUrl?: string }): Promise<Rendered> {
  const files = await initRepository(dir, opts.baseUrl ? { baseUrl: opts.baseUrl } : {});
  return { json: { dir, files }, lines: [`created ${dir}: ${files.join(", ")}`] };
}
