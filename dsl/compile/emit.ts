/**
 * Emits the compiled rule set from a checked model. Every table row, validation, transition check
 * and rule becomes one json-rules-engine rule with its own strictly decreasing priority, so that
 * evaluation order is defined by us (json-rules-engine runs equal priorities in parallel and
 * returns their events in resolution order). Simple comparisons become native conditions on facts
 * (with a safe path); anything richer becomes a condition on the `$expr` computed fact. A table
 * whose cells are all tests against constants also carries an index (`emit/tables.ts`), with which
 * the runtime replaces its row rules by one rule per table (engine/table-index.ts).
 *
 * One emitter per construct lives in `emit/` (they share an `EmitContext`); this function calls
 * them in evaluation order (tables, validations, transitions, rules), which is also the order of
 * the condition names, `$expr` ids and source-map entries in the output.
 */
import { COMPILED_FORMAT, type CompiledRuleSet } from "./compiled.js";
import { emitCollections } from "./emit/collections.js";
import { EmitContext, type EmitInput } from "./emit/context.js";
import { emitInvariants } from "./emit/invariants.js";
import { emitRules } from "./emit/rules.js";
import { emitFacts, emitOutputs } from "./emit/schema.js";
import { emitTables } from "./emit/tables.js";
import { emitTemplates } from "./emit/templates.js";
import { emitTransitionRules, emitTransitions } from "./emit/transitions.js";
import { emitValidationRules, emitValidations } from "./emit/validations.js";
import { emitConstantsAndValues } from "./emit/values.js";

export type { EmitInput } from "./emit/context.js";
export { schemaOf, shapeOf } from "./emit/schema.js";

export function emit(input: EmitInput): CompiledRuleSet {
  const ctx = new EmitContext(input);
  const { model } = ctx;
  // The engine rules, in evaluation order.
  const tables = emitTables(ctx);
  emitValidationRules(ctx);
  emitTransitionRules(ctx);
  const rulesMeta = emitRules(ctx);
  const rules = ctx.engineRules();
  // Located after the rules (output and invariant entries come last in the source map).
  const outputs = emitOutputs(ctx);
  const invariants = emitInvariants(ctx);
  const validations = emitValidations(ctx);
  const transitions = emitTransitions(ctx);
  const { factSchema, factShapes, decisionSchema, personalFacts } = emitFacts(ctx);
  const { constants, values } = emitConstantsAndValues(ctx);

  return {
    format: COMPILED_FORMAT,
    name: model.name,
    description: model.description,
    zone: model.zone,
    factSchema,
    factShapes,
    personalFacts,
    decisionSchema,
    outputs,
    constants,
    values,
    templates: emitTemplates(ctx),
    collections: emitCollections(ctx),
    tables,
    rulesMeta,
    ...(validations ? { validations } : {}),
    ...(transitions ? { transitions } : {}),
    invariants,
    expressions: ctx.expressions,
    rules,
    handlers: ctx.handlers,
    sourceMap: ctx.sourceMap,
  };
}
