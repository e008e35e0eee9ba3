/**
 * `POST /v1/rulesets/:name/mutants` (author): how much a suite catches. Runs the suite against
 * small changes of the rule set (mutants, tester/mutate.ts) in the authoring worker pool, with
 * the same limits and time limit as validate and test, and answers the score and every surviving
 * mutant with its position, what changed and a suggested case ("nenhum teste pegaria esta
 * mudança"), for the editor. Body as `/test`: `source` and `tests`, each defaulting to the active
 * version's.
 */
import type { FastifyInstance } from "fastify";
import { DEFAULT_MAX_MUTANTS } from "../../tester/mutate.js";
import { sharedAuthoringRunner } from "../authoring/pool.js";
import { ApiError } from "../errors.js";
import { draftAndSuite } from "./draft.js";
import { refusalOf, runJob, suiteOf, type Authoring } from "../publish.js";
import { errorResponses as errors, nameParam } from "../schemas.js";

const rangeSchema = {
  type: "object",
  properties: { start: { type: "integer" }, end: { type: "integer" } },
} as const;

const survivorSchema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    operator: { type: "string" },
    range: rangeSchema,
    line: { type: "integer" },
    column: { type: "integer" },
    description: { type: "string" },
    message: { type: "string" },
    replacement: { type: "string" },
    suggestedCase: {
      type: "object",
      properties: {
        name: { type: "string" },
        omit: { type: "array", items: { type: "string" } },
        facts: { type: "object", additionalProperties: true },
        expect: { type: "object", additionalProperties: true },
        expectError: { type: "object", additionalProperties: true },
        yaml: { type: "string" },
      },
    },
  },
} as const;

export const mutantsResultSchema = {
  type: "object",
  properties: {
    ruleset: { type: "string" },
    score: { type: "number" },
    total: { type: "integer" },
    killed: { type: "integer" },
    survived: { type: "integer" },
    invalid: { type: "integer" },
    equivalent: { type: "integer" },
    capped: { type: "integer" },
    survivors: { type: "array", items: survivorSchema },
  },
} as const;

/** What the editor shows at a surviving mutant's position. */
export const SURVIVOR_MESSAGE = "nenhum teste pegaria esta mudança";

export async function mutantRoutes(app: FastifyInstance): Promise<void> {
  const { config } = app;
  const authoringLimit = app.rateLimit({ max: config.authoringRateLimit, timeWindow: "1 minute" });
  const sourceField = { type: "string", maxLength: config.sourceLimit } as const;
  const jobs: Authoring = {
    runner: sharedAuthoringRunner(config.authoringWorkers),
    limits: { maxRules: config.maxRules, maxTableRows: config.maxTableRows },
    timeoutMs: config.handlerTimeout,
  };

  app.post<{ Params: { name: string }; Body: { source?: string; tests?: string } }>(
    "/v1/rulesets/:name/mutants",
    {
      config: { roles: ["author", "publisher"] as const },
      onRequest: authoringLimit,
      schema: {
        summary: "Mede a suíte com mutantes: quais pequenas mudanças da fonte nenhum caso pegaria",
        description:
          "Roda a suíte contra cada mutante da fonte (troca de saída de tabela, comparação invertida, constante ±1, linha removida, condição negada, prioridades trocadas, ação removida). `score` = mortos / (mortos + sobreviventes), em %; mutantes que não compilam ou são equivalentes não contam. Cada sobrevivente traz a posição na fonte e um caso sugerido que o mataria.",
        tags: ["edição"],
        errors: {
          404: "Conjunto de regras desconhecido e nenhuma fonte enviada (`NOT_FOUND`).",
          422: "A fonte não compila (`RULESET_INVALID`, `RULESET_TOO_LARGE`; `details`: os diagnósticos) ou a suíte é inválida (`INVALID_TEST_SUITE`) ou falta (`NO_TEST_SUITE`), ou algum caso falha contra a própria fonte (`TESTS_FAILED`).",
          429: true,
          503: "Os mutantes passaram de `HANDLER_TIMEOUT_MS` (`AUTHORING_TIMEOUT`), serviço em encerramento ou armazenamento indisponível. Tente de novo.",
        },
        params: nameParam,
        body: { type: "object", additionalProperties: false, properties: { source: sourceField, tests: sourceField } },
        response: { 200: mutantsResultSchema, ...errors },
      },
    },
    async (request) => {
      const name = request.params.name;
      const { source, tests } = draftAndSuite(app.registry, name, request.body);
      const verdict = await runJob(jobs, {
        name,
        source,
        tests,
        wantCompiled: false,
        mutate: { maxMutants: DEFAULT_MAX_MUTANTS },
      });
      if (!verdict.ok) throw refusalOf(verdict);
      const suite = suiteOf(verdict);
      if (suite && suite.failed > 0) {
        // A mutant is killed by a failing case: with cases failing already, the score means nothing.
        const failing = suite.cases
          .filter((c) => !c.passed)
          .map((c) => ({ case: c.name, line: c.line, column: c.column, differences: c.differences }));
        throw new ApiError(
          422,
          "TESTS_FAILED",
          `${suite.failed} caso(s) de teste falham contra a própria fonte: corrija-os antes de medir com mutantes`,
          failing,
        );
      }
      const report = verdict.mutation;
      if (!report) throw new ApiError(422, "INVALID_TEST_SUITE", "a suíte de testes não pôde ser rodada");
      return {
        ruleset: report.ruleset,
        score: report.score,
        total: report.total,
        killed: report.killed,
        survived: report.survived,
        invalid: report.invalid,
        equivalent: report.equivalent,
        capped: report.capped,
        survivors: report.mutants
          .filter((m) => m.status === "survived")
          .map((m) => ({
            id: m.id,
            operator: m.operator,
            range: m.range,
            line: m.line,
            column: m.column,
            description: m.description,
            message: `${SURVIVOR_MESSAGE}: ${m.description}`,
            replacement: m.replacement,
            ...(m.suggestedCase ? { suggestedCase: m.suggestedCase } : {}),
          })),
      };
    },
  );
}
