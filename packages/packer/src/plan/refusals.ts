/**
 * What would stop a real pack, decided while planning: a real pack throws the first refusal at
 * once; a dry run lists each as a blocker (`message (hint)`) and plans on.
 */
export class Refusals {
  readonly blockers: string[] = [];

  constructor(private readonly dryRun: boolean) {}

  refuse(error: Error): void {
    if (!this.dryRun) throw error;
    this.blockers.push(error.message + ("hint" in error && error.hint ? ` (${error.hint})` : ""));
  }
}
