/** Resource limits that stop decompression bombs and hostile metadata early (rule group §3 of the README). */
export interface Limits {
  /** Sum of all inflated bytes. */
  maxUncompressedSize: number;
  /** Inflated bytes per compressed byte, checked as data streams (after the first MiB). */
  maxCompressionRatio: number;
  /** Archive members (extension headers not counted). */
  maxEntries: number;
  /** Bytes of an entry path (UTF-8). */
  maxPathLength: number;
  /** Segments of an entry path, `package` included. */
  maxPathDepth: number;
  /** Bytes of package/manifest.json. */
  maxManifestSize: number;
  /** Bytes of one PAX or GNU long-name header. */
  maxExtensionHeaderSize: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxUncompressedSize: 16 * 1024 ** 3,
  maxCompressionRatio: 100,
  maxEntries: 10_000,
  maxPathLength: 1024,
  maxPathDepth: 32,
  maxManifestSize: 1024 ** 2,
  maxExtensionHeaderSize: 64 * 1024,
});

/** Flag names for each limit (`--max-entries`), shared by the CLI and its help. */
export const LIMIT_FLAGS: Record<keyof Limits, { flag: string; description: string }> = {
  maxUncompressedSize: { flag: "--max-uncompressed-size", description: "largest total uncompressed size in bytes" },
  maxCompressionRatio: { flag: "--max-compression-ratio", description: "largest uncompressed/compressed ratio" },
  maxEntries: { flag: "--max-entries", description: "most archive entries" },
  maxPathLength: { flag: "--max-path-length", description: "longest entry path in bytes" },
  maxPathDepth: { flag: "--max-path-depth", description: "deepest entry path in segments" },
  maxManifestSize: { flag: "--max-manifest-size", description: "largest manifest.json in bytes" },
  maxExtensionHeaderSize: { flag: "--max-extension-header-size", description: "largest PAX/long-name header in bytes" },
};

export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides) as [keyof Limits, number | undefined][]) {
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`limit ${key} must be a positive number, got ${value}`);
    limits[key] = value;
  }
  return limits;
}
