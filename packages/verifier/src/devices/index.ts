export * from "./check-package-devices.js";
export * from "./device-listing.js";
export * from "./explain-missing-device.js";
export * from "./host-devices.js";
export * from "./run-device-probe.js";
export * from "./vulkan-devices.js";
