import { which } from "@baiengine/cli-kit/system";

let found: string | null | undefined;

/** The pigz executable on PATH, or null; looked up once per process. */
export function findPigz(): string | null {
  if (found === undefined) found = which("pigz");
  return found;
}
