/**
 * The version an accelerator toolkit's `--version` output states, or null.
 * `Cuda compilation tools, release 13.0, V13.0.88` (nvcc) → `13.0.88`; `HIP version: 6.2.41133` (hipcc) → `6.2.41133`.
 */
export function parseToolkitVersion(output: string): string | null {
  const cuda = /\bV(\d+\.\d+(?:\.\d+)?)/.exec(output) ?? /release (\d+\.\d+)/.exec(output);
  if (cuda) return cuda[1]!;
  const hip = /HIP version:\s*(\d+(?:\.\d+)*)/.exec(output);
  return hip ? hip[1]! : null;
}
