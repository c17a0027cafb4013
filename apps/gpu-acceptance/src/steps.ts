import { performance } from "node:perf_hooks";

/** One step of the run as the report records it. */
export interface StepRecord {
  name: string;
  ok: boolean;
  ms: number;
  /** What it found (`3/3 layers on CUDA0`), or why it failed, in one line. */
  detail: string;
}

/** A failed check: its one line goes into the step's record and the run stops there. */
export class StepFailed extends Error {
  override name = "StepFailed";
}

/** Runs steps in order, timing each; after a failure the rest are not run. */
export class StepRunner {
  readonly steps: StepRecord[] = [];
  constructor(private readonly onStep: (record: StepRecord) => void = () => {}) {}

  get failed(): boolean {
    return this.steps.some((s) => !s.ok);
  }

  /** Runs `work` unless a step failed before; its result's `detail` (or a StepFailed's message) is recorded. */
  async run<T extends { detail: string }>(name: string, work: () => Promise<T>): Promise<T | null> {
    if (this.failed) return null;
    const t0 = performance.now();
    try {
      const result = await work();
      this.record({ name, ok: true, ms: Math.round(performance.now() - t0), detail: result.detail });
      return result;
    } catch (error) {
      if (!(error instanceof StepFailed)) throw error;
      this.record({ name, ok: false, ms: Math.round(performance.now() - t0), detail: error.message });
      return null;
    }
  }

  private record(r: StepRecord): void {
    this.steps.push(r);
    this.onStep(r);
  }
}
