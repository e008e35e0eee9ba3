/**
 * Prometheus metrics of the service (one registry per app instance, so tests do not share state):
 * decisions by rule set, version and outcome, decision latency, publishes by outcome, the decision
 * log's records written and dropped and its queue depth, and the process's default metrics.
 *
 * The per-request series are reached through label children bound once and cached
 * (`httpRequest`, `decision`): no labels object built, sorted and checked per request by the
 * caller. A child is only bound, never observed, until its first request, so no series appears
 * in /metrics before it has a value (as with the plain calls).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { StoreStatus } from "./store/types.js";

/** A histogram series with its labels bound. */
export interface Observer {
  observe(seconds: number): void;
}

/** A counter series with its labels bound. */
export interface Increment {
  inc(value?: number): void;
}

/** The series one rule-set version's decisions feed. */
export interface DecisionSeries {
  readonly ok: Increment;
  readonly invalidFacts: Increment;
  readonly rulesetDefect: Increment;
  /** rules_decision_duration_seconds{ruleset}. */
  readonly seconds: Observer;
}

export interface Metrics {
  readonly registry: Registry;
  readonly decisions: Counter<"ruleset" | "version" | "outcome">;
  readonly decisionSeconds: Histogram<"ruleset">;
  readonly publishes: Counter<"ruleset" | "outcome">;
  readonly httpSeconds: Histogram<"method" | "route" | "status">;
  /** Batch items left undecided because the request ran out of time (HANDLER_TIMEOUT_MS) or its client left. */
  readonly batchItemsAbandoned: Counter<"ruleset" | "reason">;
  /** rules_http_request_duration_seconds{method,route,status}, bound once per label set. */
  httpRequest(method: string, route: string, status: number): Observer;
  /** rules_decisions_total{ruleset,version,outcome} and rules_decision_duration_seconds{ruleset}, bound once per version. */
  decision(ruleset: string, version: number): DecisionSeries;
  /** rules_store_up{kind}: 1 while the store reaches its storage, 0 while degraded (read at each scrape). */
  watchStore(status: () => StoreStatus): void;
  /** The decision log's series (server/decision-log/writer.ts). */
  readonly decisionLog: DecisionLogSeries;
}

/** The decision log's series: records written, records dropped by reason, the queue's depth. */
export interface DecisionLogSeries {
  /** rules_decision_log_written_total. */
  readonly written: Increment;
  /** rules_decision_log_dropped_total{reason}: queue_full, storage_error, shutdown. */
  dropped(reason: DecisionLogDropReason): Increment;
  /** rules_decision_log_queue_depth (read at each scrape). */
  watchQueue(depth: () => number): void;
}

export type DecisionLogDropReason = "queue_full" | "storage_error" | "shutdown";

/** The map's value for the key, made and kept on first use. */
function cached<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const decisions = new Counter({
    name: "rules_decisions_total",
    help: "Decisões por conjunto de regras, versão e resultado (ok, invalid_facts, ruleset_defect).",
    labelNames: ["ruleset", "version", "outcome"],
    registers: [registry],
  });
  const decisionSeconds = new Histogram({
    name: "rules_decision_duration_seconds",
    help: "Tempo de uma decisão (validação dos fatos, motor e montagem), em segundos.",
    labelNames: ["ruleset"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const httpSeconds = new Histogram({
    name: "rules_http_request_duration_seconds",
    help: "Tempo de cada requisição HTTP por método, rota (o padrão, não a URL) e status.",
    labelNames: ["method", "route", "status"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  // "<method> <route>" → status → child; rule set → version → series. Label values are few (route
  // patterns, status codes, published versions), so the caches stay small.
  const httpChildren = new Map<string, Map<number, Observer>>();
  const decisionChildren = new Map<string, Map<number, DecisionSeries>>();
  const secondsChildren = new Map<string, Observer>();

  return {
    registry,
    decisions,
    decisionSeconds,
    httpSeconds,
    httpRequest(method, route, status) {
      const byStatus = cached(httpChildren, `${method} ${route}`, () => new Map<number, Observer>());
      return cached(byStatus, status, () => httpSeconds.labels(method, route, String(status)));
    },
    decision(ruleset, version) {
      const byVersion = cached(decisionChildren, ruleset, () => new Map<number, DecisionSeries>());
      return cached(byVersion, version, () => {
        const v = String(version);
        return {
          ok: decisions.labels(ruleset, v, "ok"),
          invalidFacts: decisions.labels(ruleset, v, "invalid_facts"),
          rulesetDefect: decisions.labels(ruleset, v, "ruleset_defect"),
          seconds: cached(secondsChildren, ruleset, () => decisionSeconds.labels(ruleset)),
        };
      });
    },
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
    decisionLog: decisionLogSeries(registry),
    watchStore(status) {
      if (registry.getSingleMetric("rules_store_up")) return;
      new Gauge({
        name: "rules_store_up",
        help: "1 enquanto o armazenamento das regras responde (arquivos ou PostgreSQL), 0 enquanto degradado: as decisões continuam, a publicação responde 503.",
        labelNames: ["kind"],
        registers: [registry],
        collect() {
          const s = status();
          this.reset();
          this.labels(s.kind).set(s.state === "ok" ? 1 : 0);
        },
      });
    },
  };
}

function decisionLogSeries(registry: Registry): DecisionLogSeries {
  const written = new Counter({
    name: "rules_decision_log_written_total",
    help: "Decisões gravadas no registro de decisões (DECISION_LOG).",
    registers: [registry],
  });
  const dropped = new Counter({
    name: "rules_decision_log_dropped_total",
    help: "Decisões que não foram registradas, por motivo: fila cheia (queue_full, DECISION_LOG_QUEUE), falha do armazenamento (storage_error) ou fila não esvaziada no encerramento (shutdown). A decisão em si sempre foi respondida.",
    labelNames: ["reason"],
    registers: [registry],
  });
  const children = new Map<DecisionLogDropReason, Increment>();
  let depth: () => number = () => 0;
  new Gauge({
    name: "rules_decision_log_queue_depth",
    help: "Decisões na fila do registro de decisões, ainda não gravadas.",
    registers: [registry],
    collect() {
      this.set(depth());
    },
  });
  return {
    written,
    dropped: (reason) => cached(children, reason, () => dropped.labels(reason)),
    watchQueue(read) {
      depth = read;
    },
  };
}
