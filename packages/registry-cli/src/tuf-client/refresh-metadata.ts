import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Reporter } from "@baiengine/schema";
import type { TargetFile } from "@tufjs/models";
import { Updater } from "tuf-js";
import { TrustRefusedError } from "../errors.js";
import { writeFileAtomic } from "../index-file/atomic-write.js";
import { type FetchFailure, RegistryMetadataFetcher } from "./metadata-fetcher.js";
import { fetchRefusal, type StoreFailure, type StoreState, storeRefusal, type TopRole, trustRefusal } from "./refusal.js";

export interface RefreshOptions {
  /** The registry's metadata folder URL (http(s):// or file://), ending in `/`. */
  metadataUrl: string;
  /** This registry's trust folder: `root.json` (the trusted root) and the metadata cached by earlier runs. */
  trustDir: string;
  /** Longest network silence per request, ms (default 30 s). */
  timeoutMs?: number;
  reporter?: Reporter;
}

/** The registry's signed targets after a successful refresh. */
export interface TrustedTargets {
  /** The signed length, hashes and custom fields of a target path, or undefined when it is not signed. */
  target(path: string): Promise<TargetFile | undefined>;
  versions: Record<TopRole, number>;
  /** True when the network failed and unexpired cached metadata was used. */
  fromCache: boolean;
}

const CACHED = ["root.json", "timestamp.json", "snapshot.json", "targets.json"];

type Event = { kind: "fetch"; failure: FetchFailure } | { kind: "store"; failure: StoreFailure };

/** The slice of tuf-js 5.0's TrustedMetadataStore this module instruments. */
interface TrustedStore extends StoreState {
  referenceTime: Date;
  updateRoot(bytes: Buffer): unknown;
  updateTimestamp(bytes: Buffer): unknown;
  updateSnapshot(bytes: Buffer, trusted?: boolean): unknown;
  updateDelegatedTargets(bytes: Buffer, role: string, parent: string): unknown;
}

const METHODS: [keyof TrustedStore, TopRole][] = [
  ["updateRoot", "root"],
  ["updateTimestamp", "timestamp"],
  ["updateSnapshot", "snapshot"],
  ["updateDelegatedTargets", "targets"],
];

/**
 * Records each failed update of the Updater's trusted store with the bytes and the state around it.
 * tuf-js turns snapshot and targets failures into a RuntimeError that keeps only text, and the
 * refusal must name the role and reason from data, so the store (a private field of tuf-js 5.0.x,
 * pinned) is observed instead; `refreshTrust` fails loudly if it is not there.
 */
function observeStore(updater: Updater, events: Event[]): void {
  const store = Reflect.get(updater, "trustedSet") as TrustedStore | undefined;
  if (!store || typeof store.updateDelegatedTargets !== "function") throw new Error("tuf-js's Updater has no trusted store to observe: this code expects tuf-js 5.0.x");
  const state = (): StoreState => ({ root: store.root, ...(store.timestamp ? { timestamp: store.timestamp } : {}), ...(store.snapshot ? { snapshot: store.snapshot } : {}) });
  for (const [method, role] of METHODS) {
    const original = (store[method] as (...args: unknown[]) => unknown).bind(store);
    Object.assign(store, {
      [method]: (bytes: Buffer, ...rest: unknown[]) => {
        const before = state();
        try {
          return original(bytes, ...rest);
        } catch (error) {
          events.push({ kind: "store", failure: { role, bytes, before, after: state(), referenceTime: store.referenceTime, error } });
          throw error;
        }
      },
    });
  }
}

/** The refusal for a failed refresh: the last failure recorded (earlier ones were cached copies tuf-js replaced). */
function refusalFor(events: Event[], error: unknown): TrustRefusedError {
  const last = events.at(-1);
  if (!last) return trustRefusal("root", "invalid", `the metadata could not be read (${(error as Error).message})`);
  return last.kind === "fetch" ? fetchRefusal(last.failure) : storeRefusal(last.failure);
}

async function copyIn(from: string, to: string): Promise<void> {
  for (const name of CACHED) await copyFile(join(from, name), join(to, name)).catch(() => {});
}

/** Writes back what tuf-js persisted (each file verified before it was), atomically, only what changed. */
async function copyBack(from: string, to: string): Promise<void> {
  for (const name of CACHED) {
    const fresh = await readFile(join(from, name), "utf8").catch(() => null);
    if (fresh === null || fresh === (await readFile(join(to, name), "utf8").catch(() => null))) continue;
    await writeFileAtomic(join(to, name), fresh);
  }
}

async function runUpdater(options: RefreshOptions, forceCache: boolean): Promise<TrustedTargets> {
  const work = await mkdtemp(join(options.trustDir, ".refresh-"));
  const events: Event[] = [];
  try {
    await copyIn(options.trustDir, work);
    const fetcher = new RegistryMetadataFetcher(options.timeoutMs ?? 30_000, (failure) => events.push({ kind: "fetch", failure }));
    let updater: Updater;
    try {
      // Targets are release assets under their own names: no hash prefix (tuf-js's prefixTargetsWithHash).
      updater = new Updater({ metadataDir: work, metadataBaseUrl: options.metadataUrl, fetcher, forceCache, config: { prefixTargetsWithHash: false } });
    } catch (error) {
      throw trustRefusal("root", "invalid", `the trusted root.json in ${options.trustDir} is not a self-signed root (${(error as Error).message})`);
    }
    observeStore(updater, events);
    try {
      await updater.refresh();
    } catch (error) {
      throw refusalFor(events, error);
    } finally {
      await copyBack(work, options.trustDir);
    }
    const store = Reflect.get(updater, "trustedSet") as TrustedStore & { targets: { signed: { version: number } } };
    const versions = { root: store.root.signed.version, timestamp: store.timestamp!.signed.version, snapshot: store.snapshot!.signed.version, targets: store.targets.signed.version };
    return { target: (path) => updater.getTargetInfo(path), versions, fromCache: forceCache };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The TUF client workflow (spec 1.0 §5) with tuf-js's Updater, for metadata only: the trusted root
 * is updated through each `N.root.json`, then timestamp, snapshot and targets are fetched and
 * checked (signatures and thresholds, versions never going down, expiry, the versions and hashes
 * each role names). Runs on a copy of the trust folder and writes back atomically what verified,
 * so a killed run never leaves a half-written root.json. When the network is down, cached metadata
 * is used while it has not expired (a warning says so). Throws TrustRefusedError naming the role
 * and the reason.
 */
export async function refreshTrust(options: RefreshOptions): Promise<TrustedTargets> {
  try {
    return await runUpdater(options, false);
  } catch (error) {
    if (!(error instanceof TrustRefusedError) || error.reason !== "unreachable") throw error;
    const cached = await readFile(join(options.trustDir, "timestamp.json")).then(() => true, () => false);
    if (!cached) throw error;
    const result = await runUpdater(options, true).catch(() => {
      throw error;
    });
    options.reporter?.log?.("warn", `registry metadata: ${error.detail}; using the cached metadata (still unexpired)`);
    return result;
  }
}
