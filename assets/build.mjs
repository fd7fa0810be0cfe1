// Builds the builder's static files (make assets): the sources in assets/builder/*.js, in name
// order, joined into one script in one function scope; the stylesheet copied. No dependency:
// the plugin installs with the built files it ships, and this needs only node.
import {readFileSync, readdirSync, writeFileSync, copyFileSync} from "node:fs";
import {execFileSync} from "node:child_process";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, "builder");
const target = join(here, "..", "lms_automations", "static", "lms_automations", "builder");
const parts = readdirSync(source).filter((name) => name.endsWith(".js")).sort();
const body = parts.map((name) => `// --- ${name}\n${readFileSync(join(source, name), "utf8")}`).join("\n");
const header = "// Built by `make assets` from assets/builder/*.js; edit those, not this file.\n";
writeFileSync(join(target, "builder.js"), `${header}(function () {\n"use strict";\n${body}\n}());\n`);
copyFileSync(join(source, "builder.css"), join(target, "builder.css"));
execFileSync(process.execPath, ["--check", join(target, "builder.js")], {stdio: "inherit"});
console.log(`built ${parts.length} sources into lms_automations/static/lms_automations/builder/`);
