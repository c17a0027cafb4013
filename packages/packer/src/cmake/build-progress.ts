/** Ninja's `[12/345] Building CXX object …` (and Make's `[ 42%]`) progress lines. */
export function parseBuildProgress(line: string): { done: number; total: number | null; detail: string } | null {
  const ninja = /^\[(\d+)\/(\d+)\]\s*(.*)$/.exec(line);
  if (ninja) return { done: Number(ninja[1]), total: Number(ninja[2]), detail: ninja[3]! };
  const make = /^\[\s*(\d+)%\]\s*(.*)$/.exec(line);
  if (make) return { done: Number(make[1]), total: 100, detail: make[2]! };
  return null;
}

/** The last `count` lines of a log worth showing: compiler errors first, else the plain tail. */
export function logTail(lines: readonly string[], count = 20): string[] {
  const cleaned = lines.filter((l) => l.trim() !== "");
  const firstError = cleaned.findIndex((l) => /\berror\b|Error|FAILED:/.test(l));
  if (firstError >= 0) return cleaned.slice(firstError, firstError + count);
  return cleaned.slice(-count);
}
