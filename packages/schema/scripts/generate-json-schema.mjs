#!/usr/bin/env node
// Writes schema/*.schema.json from the zod source (run after build).
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { jsonSchemaFiles } from "../dist/index.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "schema");
for (const [name, content] of Object.entries(jsonSchemaFiles())) {
  writeFileSync(join(dir, name), content);
  console.log(`wrote schema/${name}`);
}
