import { ACCELERATOR_VALUES } from "@baiengine/schema";
import { z } from "zod";
import { NonEmpty } from "./fields.js";

/** A regular expression's source text, refused when loaded if it does not compile. */
const Pattern = NonEmpty.refine((pattern) => {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}, "a regular expression");

/**
 * Files the verifier writes at run time for a smoke or a probe, so no download is needed (the app's
 * users have no model yet when an engine is installed):
 * - `tiny-whisper-model`: a whisper.cpp model (`ggml` magic, hyper-parameters, mel filters,
 *   vocabulary, tensors, as whisper.cpp's `whisper_model_load` reads them) with random weights, a few MB;
 * - `tone-wav`: one second of a 440 Hz tone, RIFF WAVE, 16 kHz, mono, 16-bit PCM (what whisper.cpp reads).
 */
export const GENERATED_FILES = ["tiny-whisper-model", "tone-wav"] as const;
export const GeneratedFile = z.enum(GENERATED_FILES);
export type GeneratedFile = z.infer<typeof GeneratedFile>;

/**
 * Arguments of a started server: `{model}` is replaced by the generated model's path (as the
 * emulator sees it), `{host}` by 127.0.0.1 and `{port}` by a free port.
 */
const ServerArgs = z.array(NonEmpty);

/** What a smoke request sends: nothing (GET), a JSON body, or a multipart form of fields and generated files. */
export const SmokeBody = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("none") }),
  z.strictObject({ kind: z.literal("json"), json: z.record(z.string(), z.unknown()) }),
  z.strictObject({ kind: z.literal("multipart"), fields: z.record(NonEmpty, z.string()), files: z.record(NonEmpty, GeneratedFile) }),
]);
export type SmokeBody = z.infer<typeof SmokeBody>;

/** The JSON types an answer's fields are checked against. */
export const JSON_TYPES = ["string", "number", "boolean", "object", "array"] as const;

/**
 * How `verify-engine --smoke` proves that the package's server runs:
 * - `exit-code`: run it with `args` (`--version`), require exit 0 in `timeoutSeconds`; where an
 *   emulator may keep it running (wine), output matching `outputPattern` passes as well;
 * - `http`: start it on 127.0.0.1 on a free port (with a generated model when `model` is set),
 *   poll `health.path` until it answers `health.status` within `readySeconds`, send one request,
 *   check the answer's status and the JSON types of its fields within `requestSeconds`, then stop
 *   it (always; the last lines of its log go with a failure).
 * `reason` (optional, either kind) says why the engine's smoke is this one, from the server's source.
 */
export const Smoke = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("exit-code"), args: ServerArgs.min(1), outputPattern: Pattern, timeoutSeconds: z.number().int().positive(), reason: NonEmpty.optional() }),
  z.strictObject({
    kind: z.literal("http"),
    args: ServerArgs.min(1),
    model: GeneratedFile.nullable(),
    health: z.strictObject({ path: z.string().startsWith("/"), status: z.number().int().min(100).max(599) }),
    request: z.strictObject({ method: z.enum(["GET", "POST"]), path: z.string().startsWith("/"), body: SmokeBody }),
    answer: z.strictObject({ status: z.number().int().min(100).max(599), json: z.record(NonEmpty, z.enum(JSON_TYPES)) }),
    readySeconds: z.number().int().positive(),
    requestSeconds: z.number().int().positive(),
    reason: NonEmpty.optional(),
  }),
]);
export type Smoke = z.infer<typeof Smoke>;
export type HttpSmoke = Extract<Smoke, { kind: "http" }>;

/** Per accelerator family, a pattern the family's devices match (a device name, or a log line). */
const DevicePatterns = z.partialRecord(z.enum(ACCELERATOR_VALUES), Pattern);

/**
 * How the installed server shows the devices it can use, run after install and by
 * `verify-engine --smoke` with an empty environment from another folder:
 * - `list-devices`: `args` print a listing and exit; `format` says how to read it:
 *   `ggml-list-devices` is llama.cpp's `--list-devices` (common/arg.cpp): `Available devices:`, then
 *   `  NAME: DESCRIPTION (TOTAL MiB, FREE MiB free)` per non-CPU device, or `  (none)`;
 *   `name-tab-description` is one `NAME\tDESCRIPTION` line per device (stable-diffusion.cpp's
 *   `--list-devices`). `devices` matches the names of each family's devices;
 * - `log-lines`: the server has no listing; it is started with `args` (and the generated `model`) and
 *   read while ggml loads its backends, until `readyPath` answers 200, it exits, or `timeoutSeconds`
 *   pass; then it is stopped. `devices` matches the log lines of each family's devices (ggml-cuda's
 *   `  Device 0: NVIDIA H100, compute capability 9.0, VMM: yes`).
 */
export const DeviceProbe = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("list-devices"), args: ServerArgs.min(1), format: z.enum(["ggml-list-devices", "name-tab-description"]), devices: DevicePatterns }),
  z.strictObject({
    kind: z.literal("log-lines"),
    args: ServerArgs.min(1),
    model: GeneratedFile.nullable(),
    readyPath: z.string().startsWith("/"),
    devices: DevicePatterns,
    timeoutSeconds: z.number().int().positive(),
  }),
]);
export type DeviceProbe = z.infer<typeof DeviceProbe>;
export type ListDevicesProbe = Extract<DeviceProbe, { kind: "list-devices" }>;
export type LogLinesProbe = Extract<DeviceProbe, { kind: "log-lines" }>;
