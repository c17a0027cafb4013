/** One thing the verifier found about a package; `error` findings make it fail. */
export interface Finding {
  severity: "error" | "warning" | "info";
  /** Stable UPPER_SNAKE code, e.g. `ENTRY_PATH_TRAVERSAL`. */
  code: string;
  /** Entry path inside the archive, when the finding is about one entry. */
  path?: string;
  message: string;
}

export function errorFinding(code: string, message: string, path?: string): Finding {
  return path === undefined ? { severity: "error", code, message } : { severity: "error", code, path, message };
}

export function warningFinding(code: string, message: string, path?: string): Finding {
  return path === undefined ? { severity: "warning", code, message } : { severity: "warning", code, path, message };
}

export function infoFinding(code: string, message: string, path?: string): Finding {
  return path === undefined ? { severity: "info", code, message } : { severity: "info", code, path, message };
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === "error");
}

export function errorFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity === "error");
}

/** `CODE path: reason` (the CLI prefixes the severity). */
export function describeFinding(f: Finding): string {
  return `${f.code}${f.path ? ` ${f.path}` : ""}: ${f.message}`;
}
