/** Splits --cmake-arg values into -D defines (which override the profile's) and other arguments. */
export function splitCmakeArgs(args: readonly string[]): { defines: Record<string, string>; extra: string[] } {
  const defines: Record<string, string> = {};
  const extra: string[] = [];
  for (const arg of args) {
    const m = /^-D([A-Za-z_][A-Za-z0-9_.+-]*)(?::[A-Za-z]+)?=(.*)$/s.exec(arg);
    if (m) defines[m[1]!] = m[2]!;
    else extra.push(arg);
  }
  return { defines, extra };
}

/** `-DNAME=VALUE` arguments in the order of the record. */
export function defineArgs(defines: Record<string, string>): string[] {
  return Object.entries(defines).map(([k, v]) => `-D${k}=${v}`);
}
