/**
 * One regression test (or more) per hazard of docs/hazards.md in the sections
 * json-rules-engine (1–3), yaml (5–6), Chevrotain (7–8) and regular expressions (9). Where it is
 * cheap, each test first reproduces the hazard on the bare library (a positive control showing
 * the assertion would catch it), then shows that our compiler/runtime designs it out.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { Engine } from "json-rules-engine";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CompiledRuleSet, Condition } from "../dsl/compile/compiled.js";
import { compileSource } from "../dsl/compile/pipeline.js";
import { parseExpression } from "../dsl/syntax/parse.js";
import { loadYaml } from "../dsl/yaml/load.js";
import { DecisionError } from "../engine/errors.js";
import { operatorDefinitions, pathResolver } from "../engine/operators.js";
import { createRuntime } from "../engine/runtime.js";
import {
  compileErrors,
  compileOk,
  describeDiagnostics,
  readRuleSet,
  reclameFacts,
  rejectionOf,
  ROOT,
} from "./helpers/rulesets.js";
import { injectSlowFacts, sleep, type SlowFacts } from "./helpers/slow-facts.js";

let slow: SlowFacts | undefined;
afterEach(() => {
  slow?.restore();
  slow = undefined;
  vi.restoreAllMocks();
});

/** Every leaf condition of a compiled rule. */
function leaves(c: Condition): Extract<Condition, { fact: string }>[] {
  if ("all" in c) return c.all.flatMap(leaves);
  if ("any" in c) return c.any.flatMap(leaves);
  if ("not" in c) return leaves(c.not);
  return [c];
}

function allLeaves(compiled: CompiledRuleSet): Extract<Condition, { fact: string }>[] {
  return compiled.rules.flatMap((r) => leaves(r.conditions));
}

/** Runs a small TypeScript module in a fresh Node process (default main-thread stack, like the server). */
function runInChild(code: string): {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
} {
  const dir = mkdtempSync(join(tmpdir(), "hazards-"));
  const file = join(dir, "child.mts");
  writeFileSync(file, code);
  try {
    const r = spawnSync(process.execPath, ["--import", "tsx", file], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PIPELINE_URL = pathToFileURL(join(ROOT, "dsl/compile/pipeline.ts")).href;
const LOAD_YAML_URL = pathToFileURL(join(ROOT, "dsl/yaml/load.ts")).href;

// =============================================================================================
// json-rules-engine
// =============================================================================================

describe("HAZARD 1 — a shared json-rules-engine Engine is not safe for overlapping run() calls", () => {
  /** Three rules at priorities 10, 5, 1 that all must fire; `slow` waits `delay` ms. */
  function bareEngine(): Engine {
    const engine = new Engine([], { allowUndefinedFacts: false, pathResolver });
    engine.addFact(
      "slow",
      async (_params: unknown, almanac: { factValue(id: string): Promise<unknown> }) => {
        await sleep(Number(await almanac.factValue("delay")));
        return true;
      },
      { cache: false },
    );
    for (const p of [10, 5, 1]) {
      engine.addRule({
        name: `p${p}`,
        priority: p,
        conditions: { all: [{ fact: "slow", operator: "equal", value: true }] },
        event: { type: `p${p}` },
      });
    }
    return engine;
  }

  it("reproduces on the bare library: overlapping runs on ONE engine silently skip lower-priority rules (positive control)", async () => {
    const engine = bareEngine();
    const runs = await Promise.all(
      [20, 10, 0].map((delay) => engine.run({ delay }).then((r) => r.events.map((e) => e.type))),
    );
    // The fastest run finishes first and sets the engine-wide status to FINISHED: the others lose p5/p1.
    const incomplete = runs.filter((events) => events.join() !== "p10,p5,p1");
    expect(incomplete.length).toBeGreaterThan(0);
    // Each run alone is complete: the defect is only the sharing.
    for (const delay of [20, 10, 0])
      expect((await bareEngine().run({ delay })).events.map((e) => e.type)).toEqual(["p10", "p5", "p1"]);
  });

  it("reproduces on the bare library with the same slow-fact injection used below (so the runtime test would catch it)", async () => {
    const engine = new Engine([], { allowUndefinedFacts: false, pathResolver });
    engine.addFact("lento", async () => true, { cache: false });
    for (const p of [10, 5, 1])
      engine.addRule({
        name: `p${p}`,
        priority: p,
        conditions: { all: [{ fact: "lento", operator: "equal", value: true }] },
        event: { type: `p${p}` },
      });
    slow = injectSlowFacts(["lento"], 3);
    const runs = await Promise.all(
      Array.from({ length: 200 }, () => engine.run({}).then((r) => r.events.map((e) => e.type).join())),
    );
    expect(slow.stats().maxInFlight).toBeGreaterThan(1);
    expect(runs.filter((r) => r !== "p10,p5,p1").length).toBeGreaterThan(0);
  });

  const OVERLAP = `
ruleset: sobreposicao
facts:
  nome: { type: string, required: true }
  valor: { type: integer, required: true }
outputs:
  marcas: { type: list, items: string }
  eco: { type: string, nullable: true }
  parou: { type: boolean, default: false }
rules:
  - name: alta
    priority: 40
    when: length(nome) > 0
    then: marcas += "alta"
  - name: media
    priority: 30
    when: valor >= 0
    then:
      - marcas += "media"
      - eco = nome
  - name: media lenta
    priority: 30
    when: length(nome) + valor >= 0
    then: marcas += "media lenta"
  - name: parar nos ímpares
    priority: 25
    when: valor % 2 == 1 and length(nome) > 0
    then: parou = true
    stop: true
  - name: baixa
    priority: 20
    when: length(decision.eco) > 0
    then: marcas += "baixa"
  - name: final
    priority: 1
    then: marcas += "final"
`;
  const FULL = ["alta", "media", "media lenta", "baixa", "final"];
  const STOPPED = ["alta", "media", "media lenta", "parar nos ímpares"];

  it("our runtime: 1,000 overlapping decisions on ONE runtime with slow computed facts are all complete (stop in half of them)", async () => {
    const compiled = compileOk(OVERLAP);
    // Several priorities, and conditions on the computed ($expr) and decision facts we slow down.
    expect(new Set(compiled.rules.map((r) => r.priority)).size).toBe(compiled.rules.length);
    expect(allLeaves(compiled).some((c) => c.fact === "$expr")).toBe(true);
    const runtime = createRuntime(compiled);
    slow = injectSlowFacts(["$expr", "$decision", "$table"], 3);
    const N = 1000;
    const results = await Promise.all(Array.from({ length: N }, (_, i) => runtime.decide({ nome: `n${i}`, valor: i })));
    const { calls, maxInFlight } = slow.stats();
    expect(calls).toBeGreaterThanOrEqual(N * 3);
    expect(maxInFlight).toBeGreaterThan(100); // the decisions really overlapped inside the engines
    const wrong: string[] = [];
    results.forEach((r, i) => {
      const odd = i % 2 === 1;
      const expected = odd
        ? { fired: STOPPED, decision: { marcas: ["alta", "media", "media lenta"], eco: `n${i}`, parou: true } }
        : { fired: FULL, decision: { marcas: FULL, eco: `n${i}`, parou: false } };
      if (!isDeepStrictEqual({ fired: [...r.fired], decision: r.decision }, expected))
        wrong.push(`#${i}: ${JSON.stringify(r.fired)}`);
    });
    expect(wrong).toEqual([]);
  }, 60_000);

  it("our runtime: identical facts give identical, complete decisions under 1,000-way overlap", async () => {
    const runtime = createRuntime(compileOk(OVERLAP));
    const reference = await runtime.decide({ nome: "igual", valor: 2 });
    expect(reference.fired).toEqual(FULL);
    slow = injectSlowFacts(["$expr", "$decision"], 3);
    const results = await Promise.all(Array.from({ length: 1000 }, () => runtime.decide({ nome: "igual", valor: 2 })));
    const distinct = new Set(results.map((r) => JSON.stringify(r)));
    expect([...distinct]).toEqual([JSON.stringify(reference)]);
  }, 60_000);

  const DEFECT = `
ruleset: defeito-e-depois
facts:
  idade: { type: integer, required: true }
outputs:
  faixa: { type: string, nullable: true }
  marcas: { type: list, items: string }
tables:
  - name: faixas
    hitPolicy: unique
    inputs: [idade]
    outputs: [faixa]
    rows:
      - ["not(round(5, 0))", A]
      - [<= 20, B]
rules:
${Array.from({ length: 20 }, (_, i) => `  - name: r${i}\n    priority: ${100 - i}\n    when: idade + ${i} > 0\n    then: marcas += "r${i}"`).join("\n")}
`;
  const DEFECT_FULL = ["faixas · linha 1", ...Array.from({ length: 20 }, (_, i) => `r${i}`)];

  it("our runtime: a decision that fails with RULESET_DEFECT does not cut short the next decision on the same runtime", async () => {
    const runtime = createRuntime(compileOk(DEFECT));
    expect((await runtime.decide({ idade: 30 })).fired).toEqual(DEFECT_FULL);
    // idade 15 matches both rows of the `unique` table: a run-time defect.
    const e = await rejectionOf(runtime.decide({ idade: 15 }));
    expect(e).toBeInstanceOf(DecisionError);
    expect((e as DecisionError).code).toBe("RULESET_DEFECT");
    // The next decisions reuse pooled engines; each must still evaluate every rule.
    const after: string[][] = [];
    for (let i = 0; i < 5; i++) after.push([...(await runtime.decide({ idade: 30 })).fired]);
    for (const fired of after) expect(fired).toEqual(DEFECT_FULL);
  });

  it("our runtime: waves of overlapping decisions mixing run-time defects and valid facts — every valid one is complete", async () => {
    const runtime = createRuntime(compileOk(DEFECT));
    slow = injectSlowFacts(["$expr", "$table"], 2);
    const incomplete: string[] = [];
    let defects = 0;
    for (let wave = 0; wave < 10; wave++) {
      const settled = await Promise.allSettled(
        Array.from({ length: 100 }, (_, i) => runtime.decide({ idade: i % 4 === 0 ? 15 : 30 })),
      );
      settled.forEach((s, i) => {
        if (s.status === "rejected") {
          expect((s.reason as DecisionError).code).toBe("RULESET_DEFECT");
          defects++;
        } else if (s.value.fired.join() !== DEFECT_FULL.join())
          incomplete.push(`wave ${wave} #${i}: ${s.value.fired.length} of ${DEFECT_FULL.length}`);
      });
    }
    expect(defects).toBe(250);
    expect(incomplete).toEqual([]);
  }, 60_000);
});

describe("HAZARD 2 — rule text never reaches JSONPath (jsonpath-plus is never called)", () => {
  // The exact module object json-rules-engine's almanac requires (`_jsonpathPlus.JSONPath` is read at call time).
  const requireFromEngine = createRequire(createRequire(import.meta.url).resolve("json-rules-engine"));
  const jsonpath = requireFromEngine("jsonpath-plus") as { JSONPath: (...args: unknown[]) => unknown };

  const NESTED = `
ruleset: caminhos-aninhados
facts:
  protocolo:
    type: object
    fields:
      campos:
        type: object
        fields:
          tipoManifestacao: string
          prioridade: integer
  contatos:
    type: list
    items: { type: object, fields: { canal: string, tentativas: integer } }
  livre: any
outputs:
  r: { type: list, items: string }
rules:
  - name: caminho em objeto
    priority: 3
    when: protocolo.campos.tipoManifestacao == "Reclamação" and protocolo.campos.prioridade >= 2
    then: r += "objeto"
  - name: caminho em lista
    priority: 2
    when: contatos.canal contains "telefone"
    then: r += "lista"
  - name: caminho em any
    priority: 1
    when: livre.a.b == 1
    then: r += "any"
`;

  it("the spy sees jsonpath-plus calls when json-rules-engine uses its default resolver (positive control)", async () => {
    const spy = vi.spyOn(jsonpath, "JSONPath");
    const engine = new Engine([
      { conditions: { all: [{ fact: "obj", path: "$.a.b", operator: "equal", value: 1 }] }, event: { type: "hit" } },
    ]);
    const out = await engine.run({ obj: { a: { b: 1 } } });
    expect(out.events.map((e) => e.type)).toEqual(["hit"]);
    expect(spy).toHaveBeenCalled();
  });

  it("compiling and deciding reclame-designacao and a nested-path rule set never calls jsonpath-plus", async () => {
    const spy = vi.spyOn(jsonpath, "JSONPath");
    const reclame = compileOk(readRuleSet("reclame-designacao"));
    const nested = compileOk(NESTED);
    // Native conditions with a `path` exist, so the path resolver really is exercised.
    expect(
      allLeaves(nested)
        .filter((c) => c.path !== undefined)
        .map((c) => c.path),
    ).toEqual(expect.arrayContaining(["campos.tipoManifestacao", "campos.prioridade", "canal", "a.b"]));
    expect(allLeaves(reclame).some((c) => c.path !== undefined)).toBe(true);

    const rr = createRuntime(reclame);
    for (const facts of [
      reclameFacts(),
      reclameFacts({ tipoCliente: "Credenciado", servico: "Reembolso", gipesVinculacao: "GIPES Centro" }),
      reclameFacts({ protocoloValidado: false }),
      reclameFacts({ servico: "Serviço inexistente" }),
    ]) {
      await rr.decide(facts);
      await rr.decide(facts, { explain: true });
    }
    await rejectionOf(rr.decide({ tipoCliente: "$..*" }));

    const nr = createRuntime(nested);
    const d = await nr.decide(
      {
        protocolo: { campos: { tipoManifestacao: "Reclamação", prioridade: 3 } },
        contatos: [
          { canal: "chat", tentativas: 1 },
          { canal: "telefone", tentativas: 2 },
        ],
        livre: { a: { b: 1 } },
      },
      { explain: true },
    );
    expect(d.decision.r).toEqual(["objeto", "lista", "any"]);
    expect((await nr.decide({ livre: { "$..*": 1, a: "$.constructor" } })).decision.r).toEqual([]);
    expect(spy).not.toHaveBeenCalled();
  });

  it("the path resolver reads own properties only and ignores __proto__, constructor and prototype segments", () => {
    const value = JSON.parse(
      '{"a": {"b": 1, "__proto__": {"polluted": true}}, "lista": [{"x": 1}, {"y": 2}]}',
    ) as Record<string, unknown>;
    expect(pathResolver(value, "a.b")).toBe(1);
    expect(pathResolver(value, "lista.x")).toEqual([1, null]);
    expect(pathResolver(value, "lista.1.y")).toBe(2);
    for (const path of [
      "__proto__",
      "a.__proto__",
      "a.__proto__.polluted",
      "constructor",
      "constructor.prototype",
      "a.constructor.name",
      "prototype",
      "a.prototype",
      "toString",
      "a.hasOwnProperty",
      "lista.constructor",
      "lista.0.constructor",
    ]) {
      expect(pathResolver(value, path), path).toBeNull();
    }
    expect(pathResolver(function f() {}, "prototype")).toBeNull();
    // A path over a list maps over its items' own properties: no Array.prototype member leaks through.
    expect(pathResolver(value, "lista.length")).toEqual([null, null]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("a rule reading x.constructor / x.__proto__ on an `any` fact sees null, never the prototype chain", async () => {
    const src = `
ruleset: sem-prototipo
facts:
  x: any
outputs:
  r: { type: list, items: string }
rules:
  - name: construtor
    when: x.constructor is not null
    then: r += "constructor"
  - name: nome do construtor
    when: x.constructor.name == "Object"
    then: r += "name"
  - name: proto
    when: x.__proto__ is not null
    then: r += "__proto__"
`;
    const runtime = createRuntime(compileOk(src));
    expect((await runtime.decide({ x: {} })).decision.r).toEqual([]);
    expect((await runtime.decide({ x: { a: 1 } })).decision.r).toEqual([]);
  });
});

describe("HAZARD 3 — operator semantics pinned by the compiler", () => {
  const ops = new Map(operatorDefinitions("America/Sao_Paulo"));
  const op = (name: string) => {
    const f = ops.get(name);
    if (!f) throw new Error(`operator ${name} not registered`);
    return f;
  };

  async function bareFires(operator: string, factValue: unknown, value: unknown): Promise<boolean> {
    const engine = new Engine([{ conditions: { all: [{ fact: "a", operator, value }] }, event: { type: "hit" } }], {
      pathResolver,
    });
    return (await engine.run({ a: factValue })).events.length === 1;
  }

  it('numeric strings ("1e3" > 5) do not compare as numbers', async () => {
    // The quirk exists in the bare library…
    expect(await bareFires("greaterThan", "1e3", 5)).toBe(true);
    // …but our operators never compare across types.
    expect(op("dsl.gt")("1e3", 5)).toBe(false);
    expect(op("dsl.gte")("1000", 5)).toBe(false);
    expect(op("dsl.lt")("1", 5)).toBe(false);
    expect(op("dsl.gt")(1000, 5)).toBe(true);
    // A string fact compared with a number is a compile-time type error.
    const e = compileErrors(`
ruleset: t
facts:
  valor: string
outputs:
  r: { type: boolean, nullable: true }
rules:
  - name: x
    when: valor > 5
    then: r = true
`);
    expect(e.codes).toContain("check/type-mismatch");
    // An `any` fact holding "1e3" does not satisfy `> 5` at run time; the number 1000 does.
    const runtime = createRuntime(
      compileOk(`
ruleset: t
facts:
  valor: any
outputs:
  r: { type: boolean, default: false }
rules:
  - name: x
    when: valor > 5
    then: r = true
`),
    );
    expect((await runtime.decide({ valor: "1e3" })).decision.r).toBe(false);
    expect((await runtime.decide({ valor: "1000" })).decision.r).toBe(false);
    expect((await runtime.decide({ valor: 1000 })).decision.r).toBe(true);
  });

  it("`in` with a text on the right is a compile-time type error, never a substring test", async () => {
    expect(await bareFires("in", "b", "abc")).toBe(true); // the bare library's substring quirk
    expect(op("dsl.in")("b", "abc")).toBe(false);
    expect(op("dsl.notIn")("b", "abc")).toBe(true);
    expect(op("dsl.in")("b", ["abc"])).toBe(false);
    expect(op("dsl.in")("abc", ["abc"])).toBe(true);
    for (const right of ['"abc"', "texto", "TEXTO"]) {
      const e = compileErrors(`
ruleset: t
facts:
  a: string
  texto: string
constants:
  TEXTO: abc
outputs:
  r: { type: boolean, nullable: true }
rules:
  - name: x
    when: a in ${right}
    then: r = true
`);
      expect(e.codes, right).toContain("check/type-mismatch");
      expect(e.described.join("\n")).toMatch(/precisa de uma lista/);
    }
  });

  it("`contains` is a substring test on a text and membership on a list (null never throws)", async () => {
    expect(op("dsl.contains")("abcd", "bc")).toBe(true);
    expect(op("dsl.contains")(["abcd"], "bc")).toBe(false);
    expect(op("dsl.contains")(["abcd", "bc"], "bc")).toBe(true);
    expect(op("dsl.contains")(null, "bc")).toBe(false);
    const runtime = createRuntime(
      compileOk(`
ruleset: t
facts:
  texto: string
  lista: { type: list, items: string }
outputs:
  r: { type: list, items: string }
rules:
  - name: no texto
    priority: 2
    when: texto contains "bc"
    then: r += "texto"
  - name: na lista
    priority: 1
    when: lista contains "bc"
    then: r += "lista"
`),
    );
    expect((await runtime.decide({ texto: "abcd", lista: ["bc"] })).decision.r).toEqual(["texto", "lista"]);
    expect((await runtime.decide({ texto: "xyz", lista: ["abcd"] })).decision.r).toEqual([]);
    expect((await runtime.decide({})).decision.r).toEqual([]);
  });

  it("missing optional facts never throw `Undefined fact`: they are null", async () => {
    // The bare library (allowUndefinedFacts: false, as our engines are configured) does throw.
    const bare = new Engine(
      [{ conditions: { all: [{ fact: "ausente", operator: "equal", value: 1 }] }, event: { type: "x" } }],
      { allowUndefinedFacts: false, pathResolver },
    );
    expect(String(await rejectionOf(bare.run({})))).toMatch(/Undefined fact/);

    const src = `
ruleset: opcionais
facts:
  texto: string
  numero: number
  flag: boolean
  data: date
  quando: date-time
  obj: { type: object, fields: { campo: { type: object, fields: { sub: string } } } }
  lista: { type: list, items: string }
  livre: any
outputs:
  vistos: { type: list, items: string }
rules:
  - name: texto nulo
    when: texto is null and numero is null and flag is null and data is null and quando is null
    then: vistos += "escalares"
  - name: caminho nulo
    when: obj.campo.sub is null and livre.a.b is null
    then: vistos += "caminhos"
  - name: comparações com nulo são falsas
    when: numero > 1 or texto == "x" or lista contains "x" or texto contains "x" or texto matches "x" or texto starts with "x" or data < 2026-01-01
    then: vistos += "nunca"
  - name: negações
    when: not flag and texto not in ["x"]
    then: vistos += "negações"
`;
    const runtime = createRuntime(compileOk(src));
    const d = await runtime.decide({}, { explain: true });
    expect(d.decision.vistos).toEqual(["escalares", "caminhos", "negações"]);
    expect(d.trace?.every((t) => t.matched !== null)).toBe(true);
    const nulls = await runtime.decide({ texto: null, numero: null, obj: null, lista: null, livre: null });
    expect(nulls.decision.vistos).toEqual(["escalares", "caminhos", "negações"]);
  });

  it("facts passed as an array, a string, a number, a boolean, null or undefined → INVALID_FACTS, never a crash", async () => {
    const runtime = createRuntime(compileOk(readRuleSet("reclame-designacao")));
    for (const facts of [[reclameFacts()], [], "tipoAtendimento", "", 42, true, null, undefined]) {
      const e = await rejectionOf(runtime.decide(facts));
      expect(e, JSON.stringify(facts)).toBeInstanceOf(DecisionError);
      expect((e as DecisionError).code).toBe("INVALID_FACTS");
    }
  });

  it("event order equals declared priority order (then written order), over 200 concurrent runs with random fact latency", async () => {
    const src = `
ruleset: ordem
facts:
  n: { type: integer, required: true }
outputs:
  ordem: { type: list, items: string }
rules:
  - name: b-igual-1
    priority: 5
    when: n + 1 > 0
    then: ordem += "b1"
  - name: a-alta
    priority: 9
    when: n * 2 >= 0
    then: ordem += "a"
  - name: b-igual-2
    priority: 5
    when: n - 1 < n
    then: ordem += "b2"
  - name: b-igual-3
    priority: 5
    then: ordem += "b3"
  - name: c-baixa
    priority: -3
    when: length(decision.ordem) == 5
    then: ordem += "c"
  - name: b-igual-4
    priority: 5
    when: n % 1 == 0
    then: ordem += "b4"
`;
    const compiled = compileOk(src);
    const priorities = compiled.rules.map((r) => r.priority);
    expect([...priorities].sort((a, b) => b - a)).toEqual(priorities);
    expect(new Set(priorities).size).toBe(priorities.length);
    const runtime = createRuntime(compiled);
    slow = injectSlowFacts(["$expr", "$decision"], 4);
    const runs = await Promise.all(Array.from({ length: 200 }, (_, i) => runtime.decide({ n: i })));
    const expected = ["a-alta", "b-igual-1", "b-igual-2", "b-igual-3", "b-igual-4", "c-baixa"];
    for (const r of runs) {
      expect(r.fired).toEqual(expected);
      expect(r.decision.ordem).toEqual(["a", "b1", "b2", "b3", "b4", "c"]);
    }
    expect(slow.stats().maxInFlight).toBeGreaterThan(1);
  }, 30_000);
});

// =============================================================================================
// yaml
// =============================================================================================

describe("HAZARD 5 — deeply nested YAML documents never abort the process", () => {
  const deepSeq = `ruleset: fundo\nfacts: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`;
  const deepMap = `ruleset: fundo\nfacts: ${"{a: ".repeat(10_000)}1${"}".repeat(10_000)}\n`;

  it("yaml is pinned to 2.9.0 (2.9.1 dies with a V8 OOM on the second deep document)", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.dependencies.yaml).toBe("2.9.0");
    const installed = JSON.parse(readFileSync(join(ROOT, "node_modules/yaml/package.json"), "utf8")) as {
      version: string;
    };
    expect(installed.version).toBe("2.9.0");
  });

  it("two (and more) 10,000-deep documents in one process → yaml/too-deep every time, process alive", () => {
    for (const text of [deepSeq, deepMap, deepSeq, deepMap]) {
      const loaded = loadYaml(text);
      expect(loaded.value).toBeUndefined();
      expect(loaded.diagnostics.map((d) => d.code)).toEqual(["yaml/too-deep"]);
      const compiled = compileSource(text);
      expect(compiled.ok).toBe(false);
      expect(compiled.diagnostics.map((d) => d.code)).toEqual(["yaml/too-deep"]);
    }
  }, 60_000);

  it("the same in a fresh Node process (exit code 0, no abort)", () => {
    const child = runInChild(`
import { compileSource } from ${JSON.stringify(PIPELINE_URL)};
import { loadYaml } from ${JSON.stringify(LOAD_YAML_URL)};
const seq = "ruleset: fundo\\nfacts: " + "[".repeat(10000) + "]".repeat(10000) + "\\n";
const map = "ruleset: fundo\\nfacts: " + "{a: ".repeat(10000) + "1" + "}".repeat(10000) + "\\n";
const codes = [];
for (const text of [seq, map, seq, map]) {
  codes.push(loadYaml(text).diagnostics.map((d) => d.code).join());
  codes.push(compileSource(text).diagnostics.map((d) => d.code).join());
}
console.log(JSON.stringify(codes));
`);
    expect(child.signal).toBeNull();
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout.trim())).toEqual(Array(8).fill("yaml/too-deep"));
  }, 120_000);
});

describe("HAZARD 6 — the YAML dialect is pinned (YAML 1.2 core, strict)", () => {
  const GOOD = `ruleset: dialeto
facts:
  resposta: { type: string, enum: [NO, SIM] }
constants:
  RESPOSTA: NO
outputs:
  r: { type: list, items: string }
tables:
  - name: tab
    onNoMatch: null
    inputs: [resposta]
    outputs: [v]
    rows:
      - [NO, no]
      - [SIM, yes]
rules:
  - name: x
    then:
      - r += RESPOSTA
      - r += tab.v
`;

  it("`NO`, `no` and `yes` stay texts, never booleans", async () => {
    const compiled = compileOk(GOOD);
    const runtime = createRuntime(compiled);
    expect((await runtime.decide({ resposta: "NO" })).decision.r).toEqual(["NO", "no"]);
    expect((await runtime.decide({ resposta: "SIM" })).decision.r).toEqual(["NO", "yes"]);
    const e = await rejectionOf(runtime.decide({ resposta: false }));
    expect((e as DecisionError).code).toBe("INVALID_FACTS");
  });

  it("a `%YAML 1.1` header is rejected (it would turn on merge keys and NO → false); `%YAML 1.2` is accepted", () => {
    const e = compileErrors(`%YAML 1.1\n---\n${GOOD}`);
    expect(e.codes).toEqual(["yaml/unsupported"]);
    expect(e.described[0]).toMatch(/^yaml\/unsupported@1:1 .*%YAML 1\.1/);
    expect(compileSource(`%YAML 1.2\n---\n${GOOD}`).ok).toBe(true);
    expect(compileErrors(`%TAG !e! tag:example.com,2000:\n---\n${GOOD}`).codes).toEqual(["yaml/unsupported"]);
  });

  it("merge keys `<<` are rejected", () => {
    const e = compileErrors(
      GOOD.replace("  r: { type: list, items: string }", "  <<: { r: { type: list, items: string } }"),
    );
    expect(e.codes).toEqual(["yaml/unsupported"]);
    expect(e.described[0]).toMatch(/^yaml\/unsupported@7:3 .*<</);
  });

  it("unknown and known tags are rejected", () => {
    for (const tag of ["!custom", "!!str", "!!binary", "!!bool", "!<tag:yaml.org,2002:str>"]) {
      const e = compileErrors(GOOD.replace("  RESPOSTA: NO", `  RESPOSTA: ${tag} NO`));
      expect(e.codes, tag).toEqual(["yaml/unsupported"]);
      expect(e.described[0], tag).toMatch(/^yaml\/unsupported@5:13 /);
    }
  });

  it("anchors and aliases are rejected (each reported where written)", () => {
    const e = compileErrors(GOOD.replace("  RESPOSTA: NO", "  RESPOSTA: &s NO\n  OUTRA: *s"));
    expect(e.codes).toEqual(["yaml/unsupported", "yaml/unsupported"]);
    expect(e.described[0]).toMatch(/^yaml\/unsupported@5:13 .*&s/);
    expect(e.described[1]).toMatch(/^yaml\/unsupported@6:10 .*\*s/);
  });

  it("duplicate keys are rejected at the second key, pointing back to the first", () => {
    const src = GOOD.replace("  RESPOSTA: NO", "  RESPOSTA: NO\n  RESPOSTA: SIM");
    const e = compileErrors(src);
    expect(e.codes).toEqual(["yaml/duplicate-key"]);
    expect(e.described[0]).toMatch(/^yaml\/duplicate-key@6:3 .*RESPOSTA/);
    const related = e.diagnostics[0]?.related?.[0];
    expect(related && src.slice(related.range.start, related.range.end)).toBe("RESPOSTA");
    expect(related?.range.start).toBe(src.indexOf("RESPOSTA"));
    const top = compileErrors(GOOD.replace("rules:", "outputs:\n  q: string\nrules:"));
    expect(top.codes).toEqual(["yaml/duplicate-key"]);
  });
});

// =============================================================================================
// Chevrotain
// =============================================================================================

describe("HAZARD 7 — deep nesting in an expression is a diagnostic, never a RangeError", () => {
  const withWhen = (when: string) => `ruleset: fundo
facts:
  a: integer
  b: boolean
  l: { type: list, items: integer }
outputs:
  r: { type: any, nullable: true }
templates:
  t: "ok"
rules:
  - name: x
    when: ${when}
    then: r = 1
`;

  it("1,000 nested parentheses in a `when` → dsl/too-deep", () => {
    const src = withWhen(`${"(".repeat(1000)}a > 1${")".repeat(1000)}`);
    let result: ReturnType<typeof compileSource> | undefined;
    expect(() => (result = compileSource(src))).not.toThrow();
    expect(result?.ok).toBe(false);
    expect(result?.diagnostics.map((d) => d.code)).toEqual(["dsl/too-deep"]);
    expect(describeDiagnostics(src, result!.diagnostics)[0]).toMatch(/^dsl\/too-deep@12:/);
  });

  it("the same for brackets, braces, `not` and `-` chains, unbalanced input, and in then/values/templates", () => {
    const cases: [string, string][] = [
      ["brackets", withWhen(`"${"[".repeat(1000)}1${"]".repeat(1000)} == l"`)],
      ["braces", withWhen(`"${"{a: ".repeat(1000)}1${"}".repeat(1000)} == null"`)],
      ["not", withWhen(`${"not ".repeat(1000)}b`)],
      ["minus", withWhen(`${"-".repeat(1000)}a > 0`)],
      ["unbalanced", withWhen(`"${"(".repeat(1000)}"`)],
      ["then", withWhen("a > 1").replace("then: r = 1", `then: r = ${"(".repeat(1000)}1${")".repeat(1000)}`)],
      [
        "values",
        withWhen("a > 1").replace("templates:", `values:\n  v: ${"(".repeat(1000)}1${")".repeat(1000)}\ntemplates:`),
      ],
      ["template", withWhen("a > 1").replace('  t: "ok"', `  t: "{${"(".repeat(1000)}1${")".repeat(1000)}}"`)],
    ];
    for (const [label, src] of cases) {
      let result: ReturnType<typeof compileSource> | undefined;
      expect(() => (result = compileSource(src)), label).not.toThrow();
      expect(result?.ok, label).toBe(false);
      expect(
        result?.diagnostics.map((d) => d.code),
        label,
      ).toContain("dsl/too-deep");
    }
  });

  it("nested `if … then … else` within the 4,000-symbol limit → dsl/too-deep (the documented limit is 64 levels), never a RangeError", () => {
    // 790 levels = 3,951 symbols: under MAX_TOKENS, far over the documented 64 levels of nesting.
    const src = withWhen("a > 1").replace(
      "then: r = 1",
      `then: r = ${"if true then ".repeat(790)}1${" else 2".repeat(790)}`,
    );
    let result: ReturnType<typeof compileSource> | undefined;
    let thrown: unknown;
    try {
      result = compileSource(src);
    } catch (e) {
      thrown = e;
    }
    expect(thrown === undefined ? "no exception" : String(thrown)).toBe("no exception");
    expect(result?.diagnostics.map((d) => d.code)).toContain("dsl/too-deep");
  });

  it("in a fresh Node process (the server's main-thread stack): nesting is reported, never thrown", () => {
    const child = runInChild(`
import { compileSource } from ${JSON.stringify(PIPELINE_URL)};
const head = "ruleset: fundo\\nfacts:\\n  a: integer\\n  l: { type: list, items: integer }\\noutputs:\\n  r: any\\nrules:\\n  - name: x\\n    then: r = ";
const cases = {
  parens: "(".repeat(1000) + "1" + ")".repeat(1000),
  ifs: "if true then ".repeat(790) + "1" + " else 2".repeat(790),
  fors: "for x in l return ".repeat(990) + "1",
  sum: Array(1999).fill("a").join(" + "),
};
const out = {};
for (const [name, expr] of Object.entries(cases)) {
  try {
    const r = compileSource(head + expr + "\\n");
    out[name] = r.diagnostics.map((d) => d.code).join() || "ok";
  } catch (e) {
    out[name] = "THREW " + String(e).slice(0, 80);
  }
}
console.log(JSON.stringify(out));
`);
    expect(child.status).toBe(0);
    const out = JSON.parse(child.stdout.trim()) as Record<string, string>;
    // Nesting beyond 64 levels must be dsl/too-deep; a long flat chain may compile or be too-deep.
    const offenders = Object.entries(out).filter(
      ([name, codes]) => !(codes === "dsl/too-deep" || (name === "sum" && codes === "ok")),
    );
    expect(offenders).toEqual([]);
  }, 120_000);
});

describe("HAZARD 8 — a lexer error is fatal for compile (recovery is for the editor only)", () => {
  const src = (then: string, when = "a > 0") => `ruleset: lexico
facts:
  a: integer
outputs:
  r: { type: integer, nullable: true }
rules:
  - name: x
    when: ${when}
    then: ${then}
`;

  it("the parser alone recovers `1 + # 2` into a value (the hazard), flagged as recovered", () => {
    const parsed = parseExpression({ text: "1 + # 2" });
    expect(parsed.value).toBeDefined();
    expect(parsed.recovered).toBe(true);
    expect(parsed.diagnostics.map((d) => d.code)).toEqual(["dsl/lexer"]);
  });

  it("`1 + # 2` in a rule → compile fails with dsl/lexer and produces no compiled output", () => {
    for (const [label, text] of [
      ["then", src('"r = 1 + # 2"')],
      ["when", src("r = 1", '"a > 1 + # 2"')],
      ["block scalar", src("|-\n      r = 1 + # 2")],
      ["other character", src('"r = 1 + @ 2"')],
      ["other character in when", src("r = 1", "a > 1 + ´ 2")],
    ] as const) {
      const r = compileSource(text);
      expect(r.ok, label).toBe(false);
      expect(r.compiled, label).toBeUndefined();
      expect(
        r.diagnostics.map((d) => d.code),
        label,
      ).toContain("dsl/lexer");
    }
    const e = compileErrors(src('"r = 1 + # 2"'));
    expect(e.described).toEqual([expect.stringMatching(/^dsl\/lexer@9:20 .*'#'/)]);
  });
});

// =============================================================================================
// Regular expressions
// =============================================================================================

describe("HAZARD 9 — analysts' regular expressions run in linear time", () => {
  const SRC = `ruleset: regex
facts:
  texto: { type: string, required: true }
  padrao: string
outputs:
  r: { type: list, items: string }
rules:
  - name: catastrófico
    priority: 2
    when: texto matches "^(a+)+$"
    then: r += "literal"
  - name: padrão do caso
    priority: 1
    when: padrao is not null and texto matches padrao
    then: r += "dinâmico"
`;

  it('`matches "^(a+)+$"` against 100,000 "a" + "b" completes (and gives the right answer)', async () => {
    const runtime = createRuntime(compileOk(SRC));
    const evil = `${"a".repeat(100_000)}b`;
    const t0 = performance.now();
    const miss = await runtime.decide({ texto: evil, padrao: "^(a+)+$" });
    const elapsed = performance.now() - t0;
    console.log(`HAZARD 9: ^(a+)+$ on 100,001 characters (literal + dynamic pattern): ${elapsed.toFixed(1)} ms`);
    expect(miss.decision.r).toEqual([]);
    const hit = await runtime.decide({ texto: "a".repeat(100_000), padrao: "^(a+)+$" });
    expect(hit.decision.r).toEqual(["literal", "dinâmico"]);
  });

  it("back-references and lookaround are rejected at compile time with dsl/regex", () => {
    for (const pattern of ["(a)\\\\1", "^(\\\\w+)\\\\s\\\\1$", "(?=a)", "(?!a)b", "(?<=a)b", "(?<n>a)\\\\k<n>"]) {
      const e = compileErrors(SRC.replace('"^(a+)+$"', `"${pattern}"`));
      expect(e.codes, pattern).toEqual(["dsl/regex"]);
      expect(e.described[0], pattern).toMatch(/^dsl\/regex@10:25 /);
    }
  });

  it("a back-reference pattern held in a constant is rejected at compile time too (a rule that can never match)", () => {
    const src = SRC.replace("outputs:", 'constants:\n  PADRAO: "(a)\\\\1"\noutputs:').replace('"^(a+)+$"', "PADRAO");
    const r = compileSource(src);
    expect(r.diagnostics.map((d) => d.code)).toContain("dsl/regex");
  });

  it("an invalid pattern arriving in the facts never throws: the condition is false", async () => {
    const runtime = createRuntime(compileOk(SRC));
    for (const padrao of ["(a)\\1", "(", "(?=a)", "a{1001}", "x".repeat(5000)]) {
      const d = await runtime.decide({ texto: "aa", padrao });
      expect(d.decision.r, padrao).toEqual(["literal"]);
    }
  });
});
