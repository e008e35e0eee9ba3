/**
 * Prometheus metrics of the service (one registry per app instance, so tests do not share state):
 * decisions by rule set, version and outcome, decision latency, publishes by outcome, and the
 * process's default metrics.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

export interface Metrics {
  readonly registry: Registry;
  readonly decisions: Counter<"ruleset" | "version" | "outcome">;
  readonly decisionSeconds: Histogram<"ruleset">;
  readonly publishes: Counter<"ruleset" | "outcome">;
  readonly httpSeconds: Histogram<"method" | "route" | "status">;
  /** Batch items left undecided because the request ran out of time (HANDLER_TIMEOUT_MS) or its client left. */
  readonly batchItemsAbandoned: Counter<"ruleset" | "reason">;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    decisions: new Counter({
      name: "rules_decisions_total",
      help: "Decisões por conjunto de regras, versão e resultado (ok, invalid_facts, ruleset_defect).",
      labelNames: ["ruleset", "version", "outcome"],
      registers: [registry],
    }),
    decisionSeconds: new Histogram({
      name: "rules_decision_duration_seconds",
      help: "Tempo de uma decisão (validação dos fatos, motor e montagem), em segundos.",
      labelNames: ["ruleset"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    httpSeconds: new Histogram({
      name: "rules_http_request_duration_seconds",
      help: "Tempo de cada requisição HTTP por método, rota (o padrão, não a URL) e status.",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    batchItemsAbandoned: new Counter({
      name: "rules_batch_items_abandoned_total",
      help: "Itens de lote não decididos porque a requisição estourou HANDLER_TIMEOUT_MS (reason=timeout) ou o cliente desistiu (reason=client_gone).",
      labelNames: ["ruleset", "reason"],
      registers: [registry],
    }),
    publishes: new Counter({
      name: "rules_publishes_total",
      help: "Publicações e reversões por conjunto de regras e resultado (published, rolled_back, rejected, conflict).",
      labelNames: ["ruleset", "outcome"],
      registers: [registry],
    }),
  };
}
