import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { acceleratorFamily, acceleratorToken, parseAcceleratorToken, toolkitMajor } from "../src/index.js";

describe("accelerator tokens", () => {
  it("maps a token to accelerator + toolkit major and back (cuda12 ↔ cuda + 12.x)", () => {
    expect(parseAcceleratorToken("cuda12")).toEqual({ accelerator: "cuda", major: 12 });
    expect(acceleratorToken("cuda", "12.4")).toBe("cuda12");
    expect(acceleratorToken("rocm", "6.3.1")).toBe("rocm6");
    expect(acceleratorToken("metal", null)).toBe("metal");
    expect(acceleratorToken("vulkan", "1.4.309")).toBe("vulkan");
    fc.assert(
      fc.property(fc.constantFrom("cuda" as const, "rocm" as const), fc.integer({ min: 1, max: 999 }), fc.nat(99), (a, major, minor) => {
        const token = acceleratorToken(a, `${major}.${minor}`);
        expect(parseAcceleratorToken(token)).toEqual({ accelerator: a, major });
      }),
    );
  });

  it("refuses a versioned family without a usable version", () => {
    expect(() => acceleratorToken("cuda", null)).toThrow(/cuda needs acceleratorVersion/);
    expect(() => acceleratorToken("cuda", "twelve")).toThrow(/cuda needs acceleratorVersion/);
    expect(() => parseAcceleratorToken("cuda012")).toThrow(/major version/);
    expect(() => parseAcceleratorToken("npu")).toThrow(/not one of/);
  });

  it("knows families from tokens", () => {
    expect(acceleratorFamily("cuda13")).toBe("cuda");
    expect(acceleratorFamily("cpu")).toBe("cpu");
    expect(acceleratorFamily("x")).toBeNull();
    expect(toolkitMajor("13.0.88")).toBe(13);
    expect(toolkitMajor(null)).toBeNull();
  });
});
