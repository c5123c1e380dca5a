// Parses Terraform files with HCL's own parser (compiled to WebAssembly) and prints their JSON.
//   node tf2json.mjs FILE.tf...      prints {"FILE.tf": {...}, ...}; exits 1 naming any file that does not parse
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { parse } from "@cdktf/hcl2json";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node tf2json.mjs FILE.tf...");
  process.exit(2);
}

const out = {};
let failed = false;
for (const file of files) {
  try {
    out[basename(file)] = await parse(file, await readFile(file, "utf8"));
  } catch (error) {
    failed = true;
    console.error(`${file}: does not parse: ${error?.message ?? error}`);
  }
}
process.stdout.write(JSON.stringify(out));
process.exit(failed ? 1 : 0);
