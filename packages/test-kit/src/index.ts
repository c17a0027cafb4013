export { cuda13RuntimeManifest } from "./fixtures.js";
export { CI_ENV, type CliRun, cliEnv, type RunCliOptions, runCli } from "./run-cli.js";
export { tempDir, tempDirSync } from "./temp-dir.js";
