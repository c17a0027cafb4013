import { errorFinding, type Finding } from "../findings.js";

/**
 * A Windows package must not contain symbolic links: creating one on Windows needs Developer Mode or
 * administrator rights (SeCreateSymbolicLinkPrivilege, see Microsoft's "Symbolic Links" and
 * "CreateSymbolicLinkW" documentation), so the app could not extract it, and the PE loader never
 * follows soname-style links anyway: ship the DLL under the name the import table asks for.
 * Hard links are refused for every OS by the entry rules.
 */
export function checkWindowsLinks(os: string, symlinks: ReadonlyMap<string, string>): Finding[] {
  if (os !== "windows") return [];
  return [...symlinks].map(([path, target]) =>
    errorFinding(
      "WINDOWS_SYMLINK",
      `symbolic link to ${JSON.stringify(target)} in a Windows package: Windows creates links only with Developer Mode or administrator rights, so it cannot be extracted there; ship a copy of the file under this name instead`,
      path,
    ),
  );
}
