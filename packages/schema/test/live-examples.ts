import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Shapes of the Backend.AI GO app's live registry (github.com/lablup/backend.ai-go-engine-registry),
 * as JSON fixtures (sizes and hashes made up; the registry CLI's tests read them too):
 * - live-packages.json: packages.json as of 2026-04 (no acceleratorVersion, variants in file names, runtimes);
 * - live-packages-2026-01.json: the 2026-01 shape (`acceleratorVersion: null` on every package, older key order);
 * - live-engines-planned.json: the repository's design-format engines.json, seven planned packages
 *   (size 0, sha256 "") of b4618 (the live one is b7681, shaped alike).
 */
const fixture = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", name), "utf8"));

export const livePackagesJson = () => fixture("live-packages.json");
export const januaryPackagesJson = () => fixture("live-packages-2026-01.json");
export const livePlannedEnginesJson = () => fixture("live-engines-planned.json");
