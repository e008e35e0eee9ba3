/**
 * Regenerates the generated files: `dsl/syntax/cst.generated.ts` (the typed CST of the grammar)
 * and `docs/functions.md` (the function reference, from the catalog). Run with `npm run generate`;
 * `test/architecture.test.ts` fails when either has drifted.
 */
import { writeFileSync } from "node:fs";
import { generateFunctionDocs } from "../dsl/library/docs.js";
import { generateCstTypes } from "../dsl/syntax/cst-types.js";

writeFileSync(new URL("../dsl/syntax/cst.generated.ts", import.meta.url), generateCstTypes());
writeFileSync(new URL("../docs/functions.md", import.meta.url), generateFunctionDocs());
