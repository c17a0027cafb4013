export * from "./environment.js";
export * from "./errors.js";
export * from "./logger.js";
export * from "./program.js";
export * from "./progress.js";
export * from "./command.js";
export * from "./version.js";
export * from "./redact-output.js";
