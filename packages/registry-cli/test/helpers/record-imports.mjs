// Loaded with `node --import`: records every module URL the process resolves, one per line, to
// the file named by RECORD_IMPORTS_TO (a module loader hook, the way Node reports what it loads).
import { register } from "node:module";

register(
  `data:text/javascript,${encodeURIComponent(`
    import { appendFileSync } from "node:fs";
    export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      appendFileSync(process.env.RECORD_IMPORTS_TO, result.url + "\\n");
      return result;
    }
  `)}`,
);
