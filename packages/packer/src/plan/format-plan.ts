import type { PackPlan, PlannedCommand } from "./plan-types.js";

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/** One flag (with its value) per line. */
function command(c: PlannedCommand): string {
  const lines: string[] = [];
  for (const arg of c.argv.map(quote)) {
    if (lines.length === 0 || arg.startsWith("-") || arg.startsWith("'-")) lines.push(arg);
    else lines[lines.length - 1] += ` ${arg}`;
  }
  return lines.join(" \\\n    ");
}

/** The plan as text for `--dry-run`: commands with every define, the collect rules, the manifest draft. */
export function formatPlan(plan: PackPlan): string {
  const standIn = plan.engine.standIns?.[plan.target.token];
  const standInReasons = standIn ? Object.fromEntries(Object.keys(standIn.defines).map((k) => [k, standIn.reason])) : {};
  const devReasons = Object.fromEntries(plan.engine.versionRules.flatMap((r) => (r.kind === "cmake-set" && r.dev ? [[r.dev.option, r.dev.reason]] : [])));
  const reasons = { ...plan.engine.defineReasons, ...devReasons, ...plan.accelerator.defineReasons, ...standInReasons };
  const c = plan.collect;
  const lines = [
    `plan ${plan.packageStem}`,
    `  engine      ${plan.engine.id} ${plan.versionFrom === "unknown" ? "(version unknown)" : `${plan.version} (version from ${plan.versionFrom})`}`,
    `  target      ${plan.target.os}-${plan.target.arch} ${plan.target.token}`,
    `  toolchain   ${plan.toolchain.id}${plan.toolchain.cxx ? ` (${plan.toolchain.cc}, ${plan.toolchain.cxx})` : ""}`,
    `  source      ${plan.source.dir ?? "none"}${plan.source.clone ? ` (clone ${plan.source.clone.repository} at ${plan.source.clone.tag})` : ""}${plan.source.npm ? ` (npm pack ${plan.source.npm.spec} into ${plan.source.npm.folder})` : ""}${plan.source.commit ? ` @ ${plan.source.commit}` : ""}`,
    `  time        ${plan.mtime === null ? "from the source (none yet)" : `${new Date(plan.mtime * 1000).toISOString()} (${plan.mtimeFrom})`}`,
    `  build dir   ${plan.buildDir}`,
    `  log         ${plan.logFile}`,
    "",
  ];
  if (plan.blockers.length > 0) lines.push("blocked here (a real pack would refuse):", ...plan.blockers.map((b) => `  - ${b}`), "");
  if (plan.toolchainFile) lines.push(`toolchain file ${plan.toolchainFile.path}:`, ...plan.toolchainFile.content.trimEnd().split("\n").map((l) => `  ${l}`), "");
  if (plan.headerFixes) {
    lines.push(`toolchain header fixes in ${plan.headerFixes.dir} (CPLUS_INCLUDE_PATH and C_INCLUDE_PATH of configure and build):`);
    lines.push(...plan.headerFixes.files.map((f) => `  ${f.path.slice(plan.headerFixes!.dir.length + 1)}: ${f.reason}`), "");
  }
  lines.push("configure:", `  ${command(plan.configure)}`, "", "build:", `  ${command(plan.build)}`, "");
  const env = Object.entries(plan.build.env);
  if (env.length > 0) lines.push("environment of both:", ...env.map(([k, v]) => `  ${k}=${v}`), "");
  const why = Object.entries(reasons).filter(([k]) => k in plan.defines);
  if (why.length > 0) lines.push("why:", ...why.map(([k, v]) => `  ${k}=${plan.defines[k]}: ${v}`), "");
  for (const [id, flags] of Object.entries(plan.engine.toolchainFlags)) if (id === plan.toolchain.id) lines.push(`  compiler flags: ${flags.reason}`, "");
  lines.push(
    "install (collect into package/):",
    `  ${c.serverBinary.from} -> ${c.serverBinary.to}`,
    `  libraries it imports (DT_NEEDED/LC_LOAD_DYLIB/PE imports, transitively) found in ${c.binaryDir} -> ${c.libraryDir ? `${c.libraryDir}/<soname>` : "<name> beside the executable"}`,
  );
  if (c.modules) lines.push(`  run-time modules ${c.modules.dir}/${c.modules.prefix}*${c.modules.extension} (not ${c.modules.exclude.map((e) => c.modules!.prefix + e).join(", ")}) -> beside the executable, and their imports`);
  if (c.runtimeLibDirs.length > 0) lines.push(`  toolchain runtime libraries the binaries import, from ${c.runtimeLibDirs.join(", ")} -> beside the executable`);
  lines.push(...c.licenseFiles.map((l) => `  ${l.from} -> ${l.to}`));
  lines.push(`  strip: ${c.strip ? [...Object.entries(c.strip.env).map(([k, v]) => `${k}=${v}`), c.strip.tool, ...c.strip.args].join(" ") : "no (--no-strip)"}`, "");
  if (plan.runtimePack) {
    const r = plan.runtimePack;
    lines.push(`runtime pack: ${r.id} (${r.linkedBy} links ${r.seeds.join(", ")}; not carried: installed once beside the engines and shared by every engine that needs it)`, "");
  }
  lines.push("manifest (draft; requirements completed from the binaries):", ...JSON.stringify(plan.manifest, null, 2).split("\n").map((l) => `  ${l}`), "");
  lines.push(`output ${plan.outFile}`, `       ${plan.checksumFile}`);
  return `${lines.join("\n")}\n`;
}
