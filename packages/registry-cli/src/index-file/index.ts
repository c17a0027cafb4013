export * from "./atomic-write.js";
export * from "./canonical-json.js";
export * from "./index-lock.js";
export * from "./modify-index.js";
export * from "./read-index.js";
