/** What a command hands its CLI to print (until cli-kit's own lands). */
export interface Rendered {
  json: unknown;
  lines: string[];
  warnings?: string[];
}
