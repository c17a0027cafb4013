/**
 * Accelerators and their file-name tokens. A token is the accelerator family, followed by the major
 * version of its toolkit for versioned families: `cuda12` is `cuda` with acceleratorVersion `12.x`.
 */
export const ACCELERATORS = {
  cpu: { versioned: false, label: "CPU" },
  metal: { versioned: false, label: "Apple Metal" },
  vulkan: { versioned: false, label: "Vulkan" },
  sycl: { versioned: false, label: "Intel SYCL" },
  hip: { versioned: false, label: "AMD HIP" },
  cuda: { versioned: true, label: "NVIDIA CUDA" },
  rocm: { versioned: true, label: "AMD ROCm" },
} as const satisfies Record<string, { versioned: boolean; label: string }>;

export type Accelerator = keyof typeof ACCELERATORS;
export const ACCELERATOR_VALUES = Object.keys(ACCELERATORS) as [Accelerator, ...Accelerator[]];

/** A toolkit version as tools print it: `12.4`, `13.0.88`, `6`. */
export const TOOLKIT_VERSION_PATTERN = /^\d+(\.\d+)*$/;

const TOKEN_PATTERN = /^([a-z]+)(\d+)?$/;

export interface ParsedAcceleratorToken {
  accelerator: Accelerator;
  /** Major toolkit version for versioned families (`cuda12` → 12), otherwise null. */
  major: number | null;
}

export function isAccelerator(value: string): value is Accelerator {
  return Object.hasOwn(ACCELERATORS, value);
}

/** Human list of the accepted tokens, for error messages. */
export function describeAcceleratorTokens(): string {
  return ACCELERATOR_VALUES.map((a) => (ACCELERATORS[a].versioned ? `${a}<major>` : a)).join(", ");
}

/** `cuda12` → { accelerator: "cuda", major: 12 }; throws with the accepted tokens on anything else. */
export function parseAcceleratorToken(token: string): ParsedAcceleratorToken {
  const result = safeParseAcceleratorToken(token);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

export function safeParseAcceleratorToken(
  token: string,
): { ok: true; value: ParsedAcceleratorToken } | { ok: false; error: string } {
  const m = TOKEN_PATTERN.exec(token);
  const family = m?.[1];
  const digits = m?.[2];
  if (!m || family === undefined || !isAccelerator(family)) {
    return { ok: false, error: `accelerator token ${JSON.stringify(token)} is not one of ${describeAcceleratorTokens()}` };
  }
  if (ACCELERATORS[family].versioned) {
    if (digits === undefined || /^0\d/.test(digits)) {
      return { ok: false, error: `accelerator token ${JSON.stringify(token)} needs the toolkit's major version, e.g. ${family}12` };
    }
    return { ok: true, value: { accelerator: family, major: Number(digits) } };
  }
  if (digits !== undefined) {
    return { ok: false, error: `accelerator token ${JSON.stringify(token)}: ${family} takes no version number` };
  }
  return { ok: true, value: { accelerator: family, major: null } };
}

/** The major version of a toolkit version string (`12.4.1` → 12), or null when it has none. */
export function toolkitMajor(acceleratorVersion: string | null): number | null {
  if (acceleratorVersion === null || !TOOLKIT_VERSION_PATTERN.test(acceleratorVersion)) return null;
  return Number(acceleratorVersion.split(".")[0]);
}

/**
 * The file-name token of an accelerator and its toolkit version: (`cuda`, `12.4`) → `cuda12`,
 * (`metal`, null) → `metal`. Throws when a versioned family has no usable version.
 */
export function acceleratorToken(accelerator: Accelerator, acceleratorVersion: string | null): string {
  if (!ACCELERATORS[accelerator].versioned) return accelerator;
  const major = toolkitMajor(acceleratorVersion);
  if (major === null) {
    throw new Error(`${accelerator} needs acceleratorVersion (the toolkit version, e.g. "12.4"), got ${JSON.stringify(acceleratorVersion)}`);
  }
  return `${accelerator}${major}`;
}

/** The family of a token or a family name: `cuda12` → `cuda`, `cpu` → `cpu`; null when unknown. */
export function acceleratorFamily(tokenOrFamily: string): Accelerator | null {
  if (isAccelerator(tokenOrFamily)) return tokenOrFamily;
  const parsed = safeParseAcceleratorToken(tokenOrFamily);
  return parsed.ok ? parsed.value.accelerator : null;
}
