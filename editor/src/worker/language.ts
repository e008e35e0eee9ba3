/**
 * The language services (`editor/language/`) as the worker uses them: checked by tsc against the
 * plain shapes the worker sends over the protocol (`language-api.ts`).
 */
import * as services from "../../language/index.js";
import type { LanguageModule } from "./language-api.js";

export const language: LanguageModule = services;
