import { type BinaryInfo, loadLibraryPolicy } from "../../packages/verifier/dist/index.js";

/**
 * Imports of a Windows package that resolve neither to a DLL in the application folder (beside
 * the .exe, where the loader looks first, also for DLLs that ggml loads at run time) nor to a
 * DLL every Windows has (the verifier's allow-list, `*` a suffix wildcard). `file: dll` each.
 */
export function unresolvedWindowsImports(binaries: { path: string; info: BinaryInfo }[], files: string[]): string[] {
  const besideExe = new Set(files.filter((f) => !f.includes("/")).map((f) => f.toLowerCase()));
  const system = loadLibraryPolicy("windows").system.map((p) => p.toLowerCase());
  const isSystem = (dll: string) => system.some((p) => (p.endsWith("*") ? dll.startsWith(p.slice(0, -1)) : dll === p));
  const unresolved: string[] = [];
  for (const { path, info } of binaries) {
    for (const dll of info.needed.map((n) => n.toLowerCase())) {
      if (!besideExe.has(dll) && !isSystem(dll)) unresolved.push(`${path}: ${dll}`);
    }
  }
  return unresolved;
}
