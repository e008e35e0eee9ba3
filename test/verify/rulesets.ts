/**
 * Random small rule sets from a grammar, as YAML text (what an analyst writes): a few facts of each
 * type (some required, some with defaults, one `normalize: false`), a time zone (São Paulo, with
 * DST until 2019, or zones without DST), 1–4 decision tables (random hit policy — every DMN one:
 * unique, first, any, priority, ruleOrder, outputOrder, collect, collect sum/min/max/count —,
 * `outputValues` that list every literal output of the column (the checker refuses a literal
 * outside them; values outside the list come from computed cells), sometimes `onNoMatch` outputs,
 * optional `when`, cells with literals, ranges, comparisons, `-`, lists, `not(...)`, `= expr`;
 * outputs literal or computed; an `any` table has one literal per output column, so only its
 * computed cells can disagree, at run time — the checker refuses overlapping rows with different
 * literals), 1–6 rules (random conditions over facts, table results and `decision.x`, priorities,
 * `stop`, actions that assign and append), sometimes validations and an invariant. Not every text
 * checks (a generated condition may compare across types, an output may be left unfilled, two
 * `unique` rows may overlap): the callers keep only those that compile without errors, and count
 * the others.
 */
import fc from "fast-check";

const POOL = ["GIPES", "CEPES", "Reembolso", "Autorização Prévia", "2_NIVEL", "Ação"];
const ENUM = ["Beneficiário", "Credenciado", "Prestador"];
const ITEMS = ["Valores", "Glosas", "Baixa Procura"];

type Column = "n" | "x" | "s" | "t" | "b" | "d" | "dt" | "l" | "p.st" | "p.tags";

const COLUMNS: readonly Column[] = ["n", "x", "s", "t", "b", "d", "dt", "l", "p.st", "p.tags"];

/** A YAML double-quoted scalar. */
function q(s: string): string {
  return JSON.stringify(s);
}

const intLit = fc.constantFrom(-1, 0, 1, 5, 17, 18, 65, 100);
const numLit = fc.constantFrom(-0.5, 0, 1.5, 2.5, 99.9);
const dateLit = fc.constantFrom("2018-11-04", "2024-02-29", "2025-12-31", "2026-01-01", "2026-04-03", "2026-12-25");
const dateTimeLit = fc.constantFrom(
  "2018-11-04T00:30",
  "2018-02-17T23:30",
  "2026-04-03T10:00",
  "2026-04-03T10:00:00-03:00",
  "2026-01-01T00:00:00Z",
);

function ordered(a: number, b: number): [number, number] {
  return a <= b ? [a, b] : [b, a];
}

/** One input cell for a column, as the YAML scalar written in a flow row. */
function cellArb(col: Column): fc.Arbitrary<string> {
  const any = fc.constant("-");
  switch (col) {
    case "n":
      return fc.oneof(
        any,
        intLit.map(String),
        fc.tuple(fc.constantFrom(">=", ">", "<", "<=", "!="), intLit).map(([op, v]) => q(`${op} ${v}`)),
        fc.tuple(intLit, intLit, fc.constantFrom("[", "("), fc.constantFrom("]", ")")).map(([a, b, l, r]) => {
          const [lo, hi] = ordered(a, b);
          return q(`${l}${lo}..${hi}${r}`);
        }),
        fc.tuple(intLit, intLit).map(([a, b]) => `[${a}, ${b}]`),
        fc.tuple(intLit, intLit).map(([a, b]) => q(`not(${a}, ${b})`)),
        fc.constantFrom(q("= LIMITE"), q("= null"), q("!= null"), q("not(null)")),
      );
    case "x":
      return fc.oneof(
        any,
        fc.tuple(fc.constantFrom(">=", ">", "<", "<="), numLit).map(([op, v]) => q(`${op} ${v}`)),
        fc.tuple(numLit, numLit).map(([a, b]) => {
          const [lo, hi] = ordered(a, b);
          return q(`[${lo}..${hi})`);
        }),
      );
    case "s":
      return fc.oneof(
        any,
        fc.constantFrom(...ENUM).map(q),
        fc.constantFrom(...ENUM).chain((a) => fc.constantFrom(...ENUM).map((b) => `[${q(a)}, ${q(b)}]`)),
        fc.constantFrom(...ENUM).map((a) => `'not(${q(a)})'`),
        fc.constantFrom(...ENUM).map((a) => `'!= ${q(a)}'`),
      );
    case "t":
      return fc.oneof(
        any,
        fc.constantFrom(...POOL).map(q),
        fc.constantFrom(...POOL).chain((a) => fc.constantFrom(...POOL).map((b) => `'${q(a)}, ${q(b)}'`)),
        fc.constant(q("= null")),
      );
    case "b":
      return fc.constantFrom("-", "true", "false");
    case "d":
      return fc.oneof(
        any,
        dateLit.map((d) => q(`= ${d}`)),
        fc.tuple(fc.constantFrom(">=", "<", ">"), dateLit).map(([op, d]) => q(`${op} ${d}`)),
        fc.tuple(dateLit, dateLit).map(([a, b]) => q(`[${[a, b].sort().join("..")}]`)),
      );
    case "dt":
      return fc.oneof(
        any,
        fc.tuple(fc.constantFrom(">=", "<"), dateTimeLit).map(([op, d]) => q(`${op} ${d}`)),
      );
    case "p.st":
      return fc.oneof(any, fc.constantFrom("A", "B", "[A, C]", q("= null"), `'not("A")'`));
    case "p.tags":
    case "l":
      return fc.oneof(
        any,
        fc.constantFrom(q("= null"), `'not("Glosas")'`, q("= []"), `'"Valores", null'`),
        fc.constantFrom(...ITEMS).map(q),
        fc.constantFrom(...ITEMS).chain((a) => fc.constantFrom(...ITEMS).map((b) => `[${q(a)}, ${q(b)}]`)),
      );
  }
}

/** An output cell: a text of the pool, or a computed value. */
const outCellArb = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...POOL).map(q) },
  { weight: 1, arbitrary: fc.constantFrom(q("= t"), q('= "R" + s'), q("= null")) },
);
const numOutCellArb = fc.oneof(intLit.map(String), fc.constantFrom(q("= n + 1"), q("= LIMITE * 2"), q("= null")));

/** What a table's result is: one record or null (single hit), a list of records, one aggregated record. */
type Shape = "single" | "list" | "aggregate";

interface TableSpec {
  readonly name: string;
  readonly shape: Shape;
  readonly yaml: string;
}

const POLICIES = [
  "unique",
  "first",
  "collect",
  "first",
  "any",
  "priority",
  "ruleOrder",
  "outputOrder",
  "collect sum",
  "collect min",
  "collect max",
  "collect count",
] as const;

function shapeOf(policy: string): Shape {
  if (policy.startsWith("collect ")) return "aggregate";
  return ["collect", "ruleOrder", "outputOrder"].includes(policy) ? "list" : "single";
}

/** The value of a literal output cell as written by the arbitraries above; undefined when computed. */
function literalOf(cell: string): unknown {
  if (cell.startsWith('"= ')) return undefined;
  return cell.startsWith('"') ? JSON.parse(cell) : Number(cell);
}

/**
 * A column's `outputValues`: the drawn priority list (texts of the pool) with every literal the
 * column's cells and its onNoMatch give that the list lacks inserted at drawn places — the checker
 * refuses a literal outside the list (table/shape). Values outside the list still reach the engine
 * through computed cells (`= t`, `= "R" + s`), which rank after every listed one.
 */
function outputValuesOf(base: readonly unknown[], literals: readonly unknown[], seed: number): unknown[] {
  const list = [...base];
  let state = seed;
  for (const v of literals) {
    if (list.includes(v)) continue;
    state = (state * 1103515245 + 12345) % 2147483648;
    list.splice(state % (list.length + 1), 0, v);
  }
  return list;
}

const tableArb = (i: number): fc.Arbitrary<TableSpec> =>
  fc
    .record({
      policy: fc.constantFrom(...POLICIES),
      explicitPolicy: fc.boolean(),
      // `priority`/`outputOrder` rank by them (they always get a list); the other policies carry them unused.
      outputValues: fc.option(fc.shuffledSubarray(POOL, { minLength: 1, maxLength: 4 }), { freq: 3 }),
      ranking: fc.shuffledSubarray(POOL, { minLength: 1, maxLength: 4 }),
      noMatch: fc.option(fc.constantFrom(...POOL), { freq: 4 }),
      when: fc.option(
        fc.constantFrom("b", "n > 0", 'not (s == "Credenciado")', "decision.o1 is null", "count(l) > 0"),
        {
          freq: 4,
        },
      ),
      cols: fc.uniqueArray(fc.constantFrom(...COLUMNS), { minLength: 1, maxLength: 3 }),
      withNum: fc.boolean(),
      rowCount: fc.integer({ min: 1, max: 5 }),
      // `any`: the one literal output of each column (see `anyOut` below).
      anyR: fc.constantFrom(...POOL),
      anyK: intLit,
      seed: fc.nat(),
    })
    .chain((spec) => {
      const isAny = spec.explicitPolicy && spec.policy === "any";
      // `any`: rows that overlap with different literal outputs are a checker error (table/overlap),
      // so every literal output of a column is the same; computed cells (which the analysis cannot
      // read) may still differ at run time — the defect of `any`, found by the engine.
      const anyOut = fc.oneof(
        { weight: 3, arbitrary: fc.constant(q(spec.anyR)) },
        { weight: 1, arbitrary: fc.constantFrom(q("= t"), q('= "R" + s')) },
      );
      const anyNum = fc.oneof(
        { weight: 3, arbitrary: fc.constant(String(spec.anyK)) },
        { weight: 1, arbitrary: fc.constantFrom(q("= n + 1"), q("= LIMITE * 2")) },
      );
      return fc
        .array(
          fc.tuple(
            fc.tuple(...spec.cols.map(cellArb)),
            // A summed column is numeric (a text in it is a defect of every decision that hits it).
            spec.explicitPolicy && spec.policy === "collect sum" ? numOutCellArb : isAny ? anyOut : outCellArb,
            spec.withNum || (spec.explicitPolicy && spec.policy.startsWith("collect "))
              ? isAny
                ? anyNum
                : numOutCellArb
              : fc.constant(undefined),
          ),
          { minLength: spec.rowCount, maxLength: spec.rowCount },
        )
        .map((rows): TableSpec => {
          const name = `T${i}`;
          const policy = spec.explicitPolicy ? spec.policy : "unique";
          const [hitPolicy, aggregate] = policy.split(" ");
          const shape = shapeOf(policy);
          const withNum = spec.withNum || shape === "aggregate";
          const numericR = policy === "collect sum";
          // sum and count tables get `{ k: 99 }` (a text summed or counted would be refused).
          const noMatchR =
            spec.noMatch === null || (shape === "aggregate" && aggregate !== "min" && aggregate !== "max")
              ? undefined
              : spec.noMatch;
          const noMatch =
            spec.noMatch === null
              ? undefined
              : noMatchR === undefined
                ? "{ k: 99 }"
                : `{ r: ${q(noMatchR)}${withNum ? ', k: "= n"' : ""} }`;
          const ranks = hitPolicy === "priority" || hitPolicy === "outputOrder";
          const base = numericR ? [] : (spec.outputValues ?? (ranks ? spec.ranking : undefined));
          const literals = [...rows.map(([, out]) => literalOf(out)), ...(noMatch ? [noMatchR] : [])].filter(
            (v) => v !== undefined && v !== null,
          );
          const values = base ? outputValuesOf(base, literals, spec.seed) : [];
          const lines = [
            `  - name: ${name}`,
            ...(spec.explicitPolicy ? [`    hitPolicy: ${hitPolicy}`] : []),
            ...(aggregate ? [`    aggregate: ${aggregate}`] : []),
            ...(values.length > 0
              ? [`    outputValues: { r: [${values.map((v) => JSON.stringify(v)).join(", ")}] }`]
              : []),
            ...(spec.when ? [`    when: ${q(spec.when)}`] : []),
            // Without it a gap is an error of the checker (table/gap) and the rule set is skipped.
            ...(noMatch ? [`    onNoMatch: ${noMatch}`] : shape === "single" ? ["    onNoMatch: null"] : []),
            `    inputs: [${spec.cols.join(", ")}]`,
            `    outputs: [r${withNum ? ", k" : ""}]`,
            "    rows:",
            ...rows.map(
              ([cells, out, num]) => `      - [${[...cells, out, ...(num !== undefined ? [num] : [])].join(", ")}]`,
            ),
          ];
          return { name, shape, yaml: lines.join("\n") };
        });
    });

/** A condition over facts, tables and the decision so far. */
function conditionArb(tables: readonly TableSpec[]): fc.Arbitrary<string> {
  const single = tables.filter((t) => t.shape === "single");
  const collect = tables.filter((t) => t.shape === "list");
  const aggregates = tables.filter((t) => t.shape === "aggregate");
  const atoms: fc.Arbitrary<string>[] = [
    intLit.chain((v) => fc.constantFrom(`n > ${v}`, `n == ${v}`, `n <= ${v}`, `n != ${v}`)),
    fc.constantFrom(...ENUM).map((e) => `s == ${q(e)}`),
    fc.constantFrom(...POOL).chain((p) => fc.constantFrom(`t == ${q(p)}`, `t starts with ${q(p.slice(0, 3))}`)),
    fc.constantFrom("b", "not b", "n is null", "t is not null", "x >= 1.5", 'l contains "Glosas"', "count(l) >= 2"),
    dateLit.chain((d) => fc.constantFrom(`d >= ${d}`, `d < ${d}`, `isBusinessDay(d)`, `addBusinessDays(d, 1) > ${d}`)),
    dateTimeLit.chain((d) => fc.constantFrom(`dt < ${d}`, `dt + 2h >= ${d}`, `toDate(dt) == 2018-11-04`)),
    fc.constantFrom(
      "decision.o1 is null",
      'decision.o1 == "GIPES"',
      "decision.o2 > 0",
      "count(decision.o3) > 0",
      "decision.o4",
      "decision.o7.k > 1",
      "decision.o7 is not null",
      'atual == "vazio"',
      "dobro > LIMITE",
      "count(primeiros) > 1",
      "grupos[0].rank == 1",
    ),
  ];
  atoms.push(fc.constantFrom(...tables).map((t) => `count(rows(${t.name})) > 2`));
  if (single.length > 0)
    atoms.push(
      fc
        .constantFrom(...single)
        .chain((t) => fc.constantFrom(`${t.name}.r is not null`, `${t.name}.r == "GIPES"`, `${t.name}.r is null`)),
    );
  if (collect.length > 0)
    atoms.push(
      fc.constantFrom(...collect).chain((t) => fc.constantFrom(`count(${t.name}) > 0`, `${t.name}.r contains "CEPES"`)),
    );
  if (aggregates.length > 0)
    atoms.push(fc.constantFrom(...aggregates).chain((t) => fc.constantFrom(`${t.name}.k > 1`, `${t.name}.k is null`)));
  const atom = fc.oneof(...atoms);
  return fc.oneof(
    { weight: 4, arbitrary: atom },
    { weight: 2, arbitrary: fc.tuple(atom, atom, fc.constantFrom("and", "or")).map(([a, b, op]) => `${a} ${op} ${b}`) },
    { weight: 1, arbitrary: atom.map((a) => `not (${a})`) },
  );
}

/** An action writing an output. */
function actionArb(tables: readonly TableSpec[]): fc.Arbitrary<string> {
  const single = tables.filter((t) => t.shape === "single");
  const collect = tables.filter((t) => t.shape === "list");
  const aggregates = tables.filter((t) => t.shape === "aggregate");
  const options: fc.Arbitrary<string>[] = [
    fc.constantFrom(...POOL).map((p) => `o1 = ${q(p)}`),
    fc.constantFrom("o1 = t", 'o1 = if n > 0 then "P" else "N"', 'o1 = coalesce(decision.o1, "X") + "!"'),
    fc.constantFrom("o2 = n + 1", "o2 = 7", "o2 = LIMITE", "o2 = coalesce(decision.o2, 0) + 1"),
    fc.constantFrom(...POOL).map((p) => `o3 += ${q(p)}`),
    fc.constantFrom("o4 = b", "o4 = not decision.o4", "o5 = d", "o5 = addBusinessDays(d, 2)", "o6 = msg(s)"),
    fc.constantFrom(
      "o7.a = t",
      "o7.k = n",
      'o3 = for i in l where i != "Glosas" return i + "!"',
      "o3 = distinct(l)",
      'o6 = join(l, ", ")',
      'o6 = formatDate(toDate(dt), "dd/MM/yyyy")',
      "o6 = resumo",
      "o6 = atual",
      "o3 = primeiros",
      "o2 = count(grupos)",
    ),
  ];
  if (single.length > 0)
    options.push(fc.constantFrom(...single).chain((t) => fc.constantFrom(`o1 = ${t.name}.r`, `o3 += ${t.name}.r`)));
  if (collect.length > 0) options.push(fc.constantFrom(...collect).map((t) => `o3 = ${t.name}.r`));
  if (aggregates.length > 0)
    options.push(
      fc.constantFrom(...aggregates).chain((t) => fc.constantFrom(`o2 = ${t.name}.k`, `o7.k = ${t.name}.k`)),
    );
  return fc.oneof(...options);
}

const ZONES = ["America/Sao_Paulo", "America/Sao_Paulo", "America/Manaus", "UTC", "Asia/Kolkata"];

/** A random rule set as YAML text (it may not check: callers keep the ones that do). */
export const ruleSetArb: fc.Arbitrary<string> = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    tableCount: fc.integer({ min: 1, max: 4 }),
    nRequired: fc.boolean(),
    nBounds: fc.boolean(),
    sDefault: fc.boolean(),
    tNormalize: fc.boolean(),
    o1Strict: fc.nat(3),
    validations: fc.boolean(),
    invariant: fc.nat(4),
    transitions: fc.option(
      fc.record({
        // A path A → B → C → D (every state reachable), and some of the other edges.
        edges: fc.subarray(["A>C", "B>A", "A>D", "C>A", "B>D"]).map((extra) => ["A>B", "B>C", "C>D", ...extra]),
        requires: fc.boolean(),
        guard: fc.boolean(),
        generalGuard: fc.boolean(),
        missingFields: fc.boolean(),
      }),
      { freq: 3 },
    ),
  })
  .chain((base) =>
    fc.tuple(...Array.from({ length: base.tableCount }, (_, i) => tableArb(i + 1))).chain((tables) =>
      fc
        .tuple(
          fc.array(
            fc.record({
              when: fc.option(conditionArb(tables), { freq: 5 }),
              priority: fc.option(fc.constantFrom(0, 10, 20, -5), { freq: 2 }),
              stop: fc.nat(5),
              actions: fc.array(actionArb(tables), { minLength: 1, maxLength: 3 }),
            }),
            { minLength: 1, maxLength: 6 },
          ),
          fc.constant(tables),
        )
        .map(([rules, ts]) => ({ base, rules, tables: ts })),
    ),
  )
  .map(({ base, rules, tables }) => {
    const lines = [
      "ruleset: aleatorio",
      "description: Conjunto de regras gerado para o teste diferencial.",
      `timezone: ${base.zone}`,
      "facts:",
      `  n: { type: integer${base.nRequired ? ", required: true" : ""}${base.nBounds ? ", minimum: 0, maximum: 120" : ""} }`,
      "  x: { type: number }",
      `  s: { type: string, enum: [${ENUM.join(", ")}]${base.sDefault ? ", default: Beneficiário" : ""} }`,
      `  t: { type: string${base.tNormalize ? "" : ", normalize: false"} }`,
      "  b: { type: boolean, default: false }",
      "  d: { type: date }",
      "  dt: { type: date-time }",
      `  l: { type: list, items: { type: string, enum: [${ITEMS.join(", ")}] }, maxItems: 4 }`,
      "  p:",
      "    type: object",
      "    fields: { st: { type: string, enum: [A, B, C] }, v: { type: integer, minimum: 0 }, tags: { type: list, items: string } }",
      "  itens:",
      "    type: list",
      "    maxItems: 4",
      "    items: { type: object, fields: { id: { type: string, required: true }, valor: integer, em: date } }",
      ...(base.transitions
        ? [
            "  st: { type: string, enum: [A, B, C, D, X], required: true }",
            "  para: { type: string, enum: [A, B, C, D, X], required: true }",
          ]
        : []),
      "constants:",
      "  LIMITE: 18",
      "values:",
      "  dobro: n * 2",
      '  atual: if decision.o1 is null then "vazio" else decision.o1',
      "  primeiros: for g in grupos where g.isFirst return g.item.id",
      "templates:",
      '  msg: { params: [v], text: "Cliente {v} em {d}" }',
      '  resumo: "o1={decision.o1}, o3={decision.o3}, n={n}"',
      "collections:",
      "  grupos: { from: itens, where: item.valor is not null, key: [item.id], order: [item.em, item.valor] }",
      "outputs:",
      base.o1Strict === 0 ? "  o1: { type: string, nullable: false }" : "  o1: { type: string }",
      base.o1Strict === 1 ? "  o2: { type: integer, minimum: 0 }" : "  o2: { type: integer }",
      "  o3: { type: list, items: string }",
      "  o4: { type: boolean, default: false }",
      "  o5: { type: date }",
      "  o6: { type: string }",
      "  o7: { type: object, fields: { a: string, k: integer } }",
      ...(base.transitions
        ? [
            "  ok: { type: boolean, default: false }",
            "  motivos: { type: list, items: string }",
            "  faltando: { type: list, items: string }",
          ]
        : []),
      ...(base.validations
        ? ["  erros: { type: list, items: { type: object, fields: { campo: string, mensagem: string } } }"]
        : []),
      "tables:",
      ...tables.map((t) => t.yaml),
    ];
    if (base.validations)
      lines.push(
        "validations:",
        "  into: erros",
        "  record: { field: campo, message: mensagem }",
        "  rules:",
        "    - field: n",
        "      require: n is not null",
        "      message: Informe n.",
        "    - field: t",
        '      when: s == "Credenciado"',
        "      require: not isBlank(t)",
        "      message: Informe t para {s}.",
      );
    const tr = base.transitions;
    if (tr) {
      lines.push(
        "transitions:",
        "  from: st",
        "  to: para",
        "  states: [A, B, C, D]",
        "  initial: A",
        "  terminal: [D]",
        "  outputs: { allowed: ok, reasons: motivos, missing: faltando }",
      );
      if (tr.generalGuard)
        lines.push("  guards:", '    - require: not (b and para == "D")', "      reason: Com b não se vai a D.");
      if (tr.missingFields) lines.push("  refusals:", "    missingFields: 'Faltam: {join(decision.faltando, \", \")}'");
      lines.push("  allow:");
      for (const e of tr.edges) {
        const [from, to] = e.split(">");
        lines.push(`    - from: ${from}`, `      to: ${to}`);
        if (tr.requires) lines.push("      requires: [t]");
        if (tr.guard)
          lines.push("      guards:", "        - require: n > 0", '          reason: "n deve ser positivo ({n})."');
      }
    }
    lines.push("rules:");
    rules.forEach((r, i) => {
      lines.push(`  - name: regra ${i + 1}`);
      if (r.priority !== null) lines.push(`    priority: ${r.priority}`);
      if (r.when !== null) lines.push(`    when: ${q(r.when)}`);
      lines.push("    then:", ...r.actions.map((a) => `      - ${q(a)}`));
      if (r.stop === 0) lines.push("    stop: true");
    });
    if (base.invariant === 0)
      lines.push("invariants:", "  - name: o2 pequeno", "    check: decision.o2 is null or decision.o2 < 100");
    return `${lines.join("\n")}\n`;
  });
