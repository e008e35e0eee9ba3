/**
 * Benchmark workloads and the peers' versions of the same decision tables (used by
 * test/bench/harness.ts and test/bench/peer-server.ts): the designation table of
 * rules/reclame-designacao.yaml, synthetic tables (two string inputs and one range input) as a
 * generated rule set, one json-rules-engine rule per row (as a user would write it), a GoRules JDM
 * decision table for zen-engine, and a hand-written Map lookup (the floor). Synthetic data only.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Engine, type ConditionProperties } from "json-rules-engine";
import { parse } from "yaml";

/** One decision-table workload: its rows, the project's rule set, and facts to decide. */
export interface TableWorkload {
  readonly id: string;
  readonly rows: number;
  /** Rule-set source for the project (only the table and one rule copying its output). */
  readonly source: string;
  /** Input column names, in order. */
  readonly inputs: readonly string[];
  /** Output name (the one output of the table). */
  readonly output: string;
  /** Facts, cycled through by every peer. */
  readonly facts: readonly Record<string, unknown>[];
  /** Each row's cells: a string (equality) or [lo, hi] (inclusive range), then the output. */
  readonly cells: readonly (readonly (string | readonly [number, number])[])[];
  readonly outputs: readonly string[];
  /** Hand-written lookup (the floor): same answer as the table. */
  readonly lookup: (facts: Record<string, unknown>) => string | null;
}

// ---------------------------------------------------------------------------------------------
// The designation table (15 rows, three string inputs).
// ---------------------------------------------------------------------------------------------

export function designationWorkload(root: string): TableWorkload {
  const doc = parse(readFileSync(join(root, "rules", "reclame-designacao.yaml"), "utf8")) as {
    tables: { name: string; inputs: string[]; outputs: string[]; rows: Record<string, string>[] }[];
  };
  const table = doc.tables.find((t) => t.name === "designacaoPorServico");
  if (!table) throw new Error("designacaoPorServico not found in reclame-designacao.yaml");
  const inputs = table.inputs;
  const cells = table.rows.map((r) => inputs.map((i) => String(r[i])));
  const outputs = table.rows.map((r) => String(r.designacao));
  const q = (s: string) => JSON.stringify(s);
  const source = [
    "ruleset: designacao-tabela",
    "description: A tabela de designação de reclame-designacao, sozinha (benchmark).",
    "facts:",
    ...inputs.map((i) => `  ${i}: { type: string, required: true }`),
    "outputs:",
    "  designacao: { type: string, nullable: true }",
    "tables:",
    "  - name: designacaoPorServico",
    "    hitPolicy: unique",
    "    onNoMatch: null",
    `    inputs: [${inputs.join(", ")}]`,
    "    outputs: [designacao]",
    "    rows:",
    ...cells.map((c, i) => `      - [${[...c, outputs[i] as string].map(q).join(", ")}]`),
    "rules:",
    "  - name: designação da tabela",
    "    then: designacao = designacaoPorServico.designacao",
    "",
  ].join("\n");
  const facts: Record<string, unknown>[] = cells.map((c) => Object.fromEntries(inputs.map((i, k) => [i, c[k]])));
  // Two misses: a service that is not in the table, and another tipoAtendimento.
  facts.push({ tipoAtendimento: "Reclamação", tipoCliente: "Credenciado", servico: "Glosa" });
  facts.push({ tipoAtendimento: "Solicitação", tipoCliente: "Beneficiário", servico: "Reembolso" });
  const map = new Map<string, string>();
  for (const [i, c] of cells.entries()) map.set(c.join("\u0000"), outputs[i] as string);
  return {
    id: "designation-15",
    rows: cells.length,
    source,
    inputs,
    output: "designacao",
    facts,
    cells,
    outputs,
    lookup: (f) => map.get(inputs.map((i) => String(f[i])).join("\u0000")) ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Synthetic tables: row i → a = A<g % 100>, b = B<g / 100>, n in [100k, 100k + 99], with g = i / 3
// and k = i % 3; output R<i>. Hit policy `first`.
// ---------------------------------------------------------------------------------------------

export function syntheticWorkload(rows: number, sampleSize = 64): TableWorkload {
  const cells: (string | readonly [number, number])[][] = [];
  const outputs: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const g = Math.floor(i / 3);
    const k = i % 3;
    const range = [k * 100, k * 100 + 99] as const;
    cells.push([`A${g % 100}`, `B${Math.floor(g / 100)}`, range]);
    outputs.push(`R${i}`);
    lines.push(`      - [A${g % 100}, B${Math.floor(g / 100)}, "[${range[0]}..${range[1]}]", R${i}]`);
  }
  const source = [
    `ruleset: sintetica-${rows}`,
    `description: Tabela sintética de ${rows} linhas (benchmark).`,
    "facts:",
    "  a: { type: string, required: true }",
    "  b: { type: string, required: true }",
    "  n: { type: number, required: true }",
    "outputs:",
    "  out: { type: string, nullable: true }",
    "tables:",
    "  - name: t",
    "    hitPolicy: first",
    // No row for unknown texts or numbers out of every range is intended (the misses below).
    "    onNoMatch: null",
    "    inputs: [a, b, n]",
    "    outputs: [out]",
    "    rows:",
    ...lines,
    "rules:",
    "  - name: saída da tabela",
    "    then: out = t.out",
    "",
  ].join("\n");
  // Deterministic sample spread over the whole table, plus misses (n out of every range, unknown b).
  const facts: Record<string, unknown>[] = [];
  for (let s = 0; s < sampleSize; s++) {
    const i = Math.floor(((s * 7919) % sampleSize) * (rows / sampleSize));
    const g = Math.floor(i / 3);
    const k = i % 3;
    const n = s % 16 === 15 ? 350 : k * 100 + ((s * 37) % 100);
    const b = s % 16 === 7 ? "B-none" : `B${Math.floor(g / 100)}`;
    facts.push({ a: `A${g % 100}`, b, n });
  }
  const map = new Map<string, string>();
  for (const [i, c] of cells.entries()) {
    const range = c[2] as readonly [number, number];
    const key = `${c[0]}\u0000${c[1]}\u0000${range[0] / 100}`;
    if (!map.has(key)) map.set(key, outputs[i] as string);
  }
  return {
    id: `synthetic-${rows}`,
    rows,
    source,
    inputs: ["a", "b", "n"],
    output: "out",
    facts,
    cells,
    outputs,
    lookup: (f) => {
      const n = f.n as number;
      if (!(n >= 0 && n <= 299)) return null;
      return map.get(`${String(f.a)}\u0000${String(f.b)}\u0000${Math.floor(n / 100)}`) ?? null;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Peers.
// ---------------------------------------------------------------------------------------------

/**
 * Naive json-rules-engine, as a user would write it: one rule per row (all conditions), the engine
 * built once; the lowest matching row wins (first/unique both give the one row here).
 */
export function naiveEngine(w: TableWorkload): (facts: Record<string, unknown>) => Promise<string | null> {
  const engine = new Engine([], { allowUndefinedFacts: true });
  for (const [i, row] of w.cells.entries()) {
    const all = row.flatMap((cell, k): ConditionProperties[] => {
      const fact = w.inputs[k] as string;
      if (typeof cell === "string") return [{ fact, operator: "equal", value: cell }];
      return [
        { fact, operator: "greaterThanInclusive", value: cell[0] },
        { fact, operator: "lessThanInclusive", value: cell[1] },
      ];
    });
    engine.addRule({ conditions: { all }, event: { type: "row", params: { i, out: w.outputs[i] } } });
  }
  return async (facts) => {
    const { events } = await engine.run(facts);
    let best: { i: number; out: string } | null = null;
    for (const e of events) {
      const p = e.params as { i: number; out: string };
      if (!best || p.i < best.i) best = p;
    }
    return best ? best.out : null;
  };
}

/** The same table as a GoRules JDM decision graph (input → decision table → output). */
export function jdmTable(w: TableWorkload): object {
  const rules = w.cells.map((row, i) => {
    const r: Record<string, string> = { _id: `r${i}` };
    for (const [k, cell] of row.entries())
      r[`i${k}`] = typeof cell === "string" ? JSON.stringify(cell) : `[${cell[0]}..${cell[1]}]`;
    r.o = JSON.stringify(w.outputs[i]);
    return r;
  });
  const position = { x: 0, y: 0 };
  return {
    nodes: [
      { id: "in", type: "inputNode", name: "Request", position },
      {
        id: "t",
        type: "decisionTableNode",
        name: "table",
        position,
        content: {
          hitPolicy: "first",
          inputs: w.inputs.map((name, k) => ({ id: `i${k}`, name, field: name })),
          outputs: [{ id: "o", name: w.output, field: w.output }],
          rules,
        },
      },
      { id: "out", type: "outputNode", name: "Response", position },
    ],
    edges: [
      { id: "e1", sourceId: "in", targetId: "t", type: "edge" },
      { id: "e2", sourceId: "t", targetId: "out", type: "edge" },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// reclame-duplicidade: a group of occurrences with duplicates (same client and service).
// ---------------------------------------------------------------------------------------------

export function duplicateFacts(count: number): Record<string, unknown> {
  const servicos = ["Reembolso", "Autorização Prévia", "Glosa"];
  const clients = Math.max(1, Math.floor(count / 3));
  const reclames = Array.from({ length: count }, (_, i) => ({
    numero: String(2026000000 + i),
    clienteId: `C${i % clients}`,
    servico: servicos[i % servicos.length] as string,
    tipoEntrada: i % 11 === 10 ? "INTERNO" : "RECLAME",
    registradoEm: `2026-03-${String(1 + (i % 28)).padStart(2, "0")}T${String(8 + (i % 10)).padStart(2, "0")}:15:00-03:00`,
    ...(i % 7 === 6 ? { status: "Concluído" } : {}),
  }));
  return { reclames };
}
