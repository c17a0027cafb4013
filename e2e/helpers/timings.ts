/**
 * Step timings of an e2e test: `time(name, work)` records how long `work` took (ms) under `name`,
 * and with a `label` prints each on stderr as it ends (steps take minutes under the emulators).
 */
export function stepTimer(label?: string): { timings: Record<string, number>; time: <T>(name: string, work: () => Promise<T>) => Promise<T> } {
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await work();
    } finally {
      timings[name] = Date.now() - t0;
      if (label) process.stderr.write(`[${label}] ${name}: ${timings[name]} ms\n`);
    }
  };
  return { timings, time };
}
