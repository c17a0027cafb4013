import type { AcceptancePlan, PlannedCommand } from "./plan.js";

/** POSIX shell quoting, for commands shown to be copied. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./{}-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function line(c: PlannedCommand): string {
  const path = process.env["PATH"] ?? "";
  // PATH is shown as what is put in front of this shell's.
  const env = Object.entries(c.env ?? {}).map(([k, v]) => (k === "PATH" && path && v.endsWith(path) ? `PATH=${shellQuote(v.slice(0, -path.length))}$PATH ` : `${k}=${shellQuote(v)} `));
  return `${Object.keys(c.env ?? {}).length === 0 && c.env ? "env -i " : ""}${env.join("")}${c.argv.map(shellQuote).join(" ")}`;
}

/**
 * The run as text for `--dry-run`: each step with the commands it runs, in order, `{name}` standing
 * for what an earlier step gives (the engine's version, its build folder, the server's port), and
 * pack-engine's own CMake configure line (`configure`, from `pack-engine --dry-run`) with every define.
 */
export function formatAcceptancePlan(plan: AcceptancePlan, configure: string[] | null): string {
  const { commands: c, paths } = plan;
  const out = [
    `GPU acceptance run: ${plan.engine} ${plan.accel}${plan.standIn ? " through its stand-in (stub runtime, stub device)" : ""}`,
    ...(plan.assumed.length > 0 ? [`  assumed (not on this machine): ${plan.assumed.join("; ")}`] : []),
    ...(plan.cudaArchitectures ? [`  CMAKE_CUDA_ARCHITECTURES=${plan.cudaArchitectures} (this GPU only)`] : []),
    `  work folder ${paths.report.replace(/\/report\.json$/, "")}`,
    "",
    "1. the GPU and the toolkit",
    `   ${plan.standIn ? "(stand-in: no nvidia-smi)" : line(c.gpu)}`,
    "   build for that architecture only:",
    `   ${line(c.packEngine)}`,
    ...(configure ? [`   which configures: ${configure.map(shellQuote).join(" ")}`] : []),
    "2. the runtime from the same toolkit",
    `   ${line(c.packRuntime)}`,
    "3. publish into a fresh engines.json, served from 127.0.0.1",
    `   write ${paths.registry} (no engines, baseUrl {baseUrl})`,
    `   ${line(c.publishRuntime)}`,
    `   ${line(c.publishEngine)}`,
    `   serve ${paths.mirror}/{tag}/{file} at {baseUrl} (http://127.0.0.1:{port})`,
    "4. install with the toolkit hidden from the loader, in a private mount namespace",
    `   ${line(c.isolate)}`,
    ...plan.hide.map((d) => `     mount --bind ${paths.empty} ${d}`),
    "     mount --bind /dev/null <each file ldconfig -p maps a runtime library to outside those folders>",
    ...plan.mustNotLoad.map((n) => `     loading ${n} by name must fail (dlopen)`),
    `     ${line(c.install)}`,
    "5. the GPU is listed, and serves the model with every layer on it",
    `     ${line(c.listDevices)}`,
    `     write ${paths.model} (a tiny random llama, GGUF)`,
    `     ${line(c.serve)}`,
    "     the server's log must show every layer offloaded, a model buffer on the device, and tokens per second",
    "6. the negative: the same package without its runtime pack",
    `     extract the package into ${paths.bare}; its device probe (${c.listDevices.argv.slice(1).join(" ")}, empty environment) must refuse in one line`,
    "7. the report",
    `   ${paths.report}, ${paths.summary}`,
  ];
  if (plan.needs) out.push("", `a real run here stops at once: ${plan.needs}`);
  return `${out.join("\n")}\n`;
}
