import { describe, expect, it } from "vitest";
import { compareEngineVersions } from "../src/version/compare-versions.js";

describe("compareEngineVersions", () => {
  it.each([
    ["b4618", "b4700", -1],
    ["b4700", "b4618", 1],
    ["b999", "b1000", -1],
    ["b4618", "b4618", 0],
    ["0.5.0", "0.10.0", -1],
    ["0.10.0", "0.9.9", 1],
    ["1.2", "1.2.0", 0],
    ["v1.2.3", "1.2.3", 0],
    ["1.0.0-rc.1", "1.0.0", -1],
    ["1.0.0-alpha", "1.0.0-alpha.1", -1],
    ["1.0.0-alpha.2", "1.0.0-alpha.10", -1],
    ["1.0.0-alpha.1", "1.0.0-beta", -1],
    ["1.0.0-rc.1", "0.9.0", 1],
    ["b4618-rc1", "b4618", -1],
    ["1.0.0+build.5", "1.0.0", 0],
  ] as const)("%s vs %s → %i", (a, b, expected) => {
    expect(compareEngineVersions(a, b)).toBe(expected);
  });

  it("refuses to order different schemes", () => {
    expect(compareEngineVersions("b4618", "0.5.0")).toBeNull();
  });
});
