import { describe, expect, it } from "vitest";
import { compareDottedVersions, dottedParts, maxDottedVersion, runtimeVersionSatisfies } from "../src/index.js";

describe("dotted versions", () => {
  it("compare part by part as numbers, a missing part being 0", () => {
    expect(compareDottedVersions("2.17", "2.34")).toBeLessThan(0);
    expect(compareDottedVersions("3.4.30", "3.4.9")).toBeGreaterThan(0);
    expect(compareDottedVersions("13", "13.0.0")).toBe(0);
    expect(compareDottedVersions("13.0.88", "13.1")).toBeLessThan(0);
  });

  it("read a part by its leading digits (ldd's `2.36-9`), a part without digits as 0", () => {
    expect(dottedParts("2.36-9")).toEqual([2, 36]);
    expect(dottedParts("14.x")).toEqual([14, 0]);
    expect(compareDottedVersions("2.36-9", "2.36")).toBe(0);
  });

  it("give the higher of two, either absent, and decide whether a runtime serves a minimum", () => {
    expect(maxDottedVersion("3.4.9", "3.4.30")).toBe("3.4.30");
    expect(maxDottedVersion(undefined, "2.17")).toBe("2.17");
    expect(maxDottedVersion("2.17", undefined)).toBe("2.17");
    expect(runtimeVersionSatisfies("13.0.88", "13.0")).toBe(true);
    expect(runtimeVersionSatisfies("12.9", "13.0")).toBe(false);
  });
});
