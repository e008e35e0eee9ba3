/**
 * Regenerates `dsl/syntax/cst.generated.ts` (the typed CST of the grammar) from the parser.
 * Run with `npm run generate`; `test/generated.test.ts` fails when the file has drifted.
 */
import { writeFileSync } from "node:fs";
import { generateCstTypes } from "../dsl/syntax/cst-types.js";

writeFileSync(new URL("../dsl/syntax/cst.generated.ts", import.meta.url), generateCstTypes());
