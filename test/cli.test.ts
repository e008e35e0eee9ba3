/**
 * The `rules` command line. Commands run in-process through `main` with captured IO (fast); two
 * tests spawn `node bin/rules.js` (the compiled CLI in dist/, built first) as a real process.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { check } from "../cli/check.js";
import { test as testCommand } from "../cli/test.js";
import { COMMAND_HELP, USAGE } from "../cli/help.js";
import { findJsonError } from "../cli/json-error.js";
import type { CliContext } from "../cli/main.js";
import { compileSource } from "../dsl/compile/pipeline.js";
import { createWarning } from "../dsl/diagnostics.js";
import { formatRuleSet } from "../dsl/format/format.js";
import { capture, runRules } from "./helpers/cli.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The machine is shared and loaded: commands that compile rule sets get a generous budget. */
const SLOW = 120_000;
const RECLAME = join(ROOT, "rules/reclame-designacao.yaml");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

/** Three different errors: a DSL syntax error (line 9), an unknown fact (line 12), a value outside an enum (line 15). */
const THREE_ERRORS = `ruleset: tres-erros
facts:
  idade: { type: integer, required: true }
  plano: { type: string, enum: [Básico, Master] }
outputs:
  categoria: { type: string, nullable: true }
rules:
  - name: sintaxe
    when: idade >=
    then: categoria = "A"
  - name: fato desconhecido
    when: idadee > 10
    then: categoria = "B"
  - name: fora do enum
    when: plano == "Premium"
    then: categoria = "C"
`;

const SIMPLE = `ruleset: exemplo-simples
description: Exemplo sintético – maioridade.
facts:
  idade: { type: integer, required: true }
  plano: { type: string, enum: [Básico, Master], default: Básico }
outputs:
  categoria: { type: string, nullable: true }
rules:
  - name: adulto no plano Master
    when: idade >= 18 and plano == "Master"
    then: categoria = "A"
    stop: true
  - name: adulto
    when: idade >= 18
    then: categoria = "B"
`;

const UNFORMATTED = SIMPLE.replace('idade >= 18 and plano == "Master"', "idade>=18 and plano=='Master'").replace(
  "  idade: {",
  "  idade:   {",
);

let dir: string;

/** Runs `rules <args>` in-process (in the test's temp dir unless told). */
function rules(args: string[], cwd = dir) {
  return runRules(args, cwd);
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rules-cli-"));
  write("tres.yaml", THREE_ERRORS);
  write("simples.yaml", SIMPLE);
  mkdirSync(join(dir, "pasta"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("rules (global)", () => {
  it("--help prints the usage on stdout", async () => {
    const r = await rules(["--help"]);
    expect(r).toEqual({ code: 0, stdout: USAGE, stderr: "" });
    expect(r.stdout).toContain("rules check <arquivo...>");
    expect(r.stdout).toContain("rules decide <arquivo> --facts <json|@arquivo> [--explain]");
    expect((await rules(["-h"])).stdout).toBe(USAGE);
    expect((await rules(["help"])).stdout).toBe(USAGE);
  });

  it("--version prints the package version", async () => {
    expect(await rules(["--version"])).toEqual({ code: 0, stdout: `rules ${VERSION}\n`, stderr: "" });
    expect((await rules(["-v"])).stdout).toBe(`rules ${VERSION}\n`);
  });

  it("<command> --help and help <command> print the command's help", async () => {
    for (const command of ["check", "compile", "decide", "fmt"]) {
      expect(await rules([command, "--help"])).toEqual({ code: 0, stdout: COMMAND_HELP[command], stderr: "" });
      expect((await rules(["help", command])).stdout).toBe(COMMAND_HELP[command]);
    }
  });

  it("no arguments: usage on stderr, exit 2", async () => {
    expect(await rules([])).toEqual({ code: 2, stdout: "", stderr: USAGE });
  });

  it("unknown command: exit 2 with a suggestion", async () => {
    const r = await rules(["chek", "x.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('erro: comando desconhecido "chek". Você quis dizer "check"?');
    expect(r.stderr).toContain("rules --help");
    expect((await rules(["help", "fnt"])).stderr).toContain('Você quis dizer "fmt"?');
  });

  it("unknown option: exit 2 with a suggestion, no stack trace", async () => {
    const r = await rules(["decide", "simples.yaml", "--fact", "{}"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('opção desconhecida "--fact". Você quis dizer "--facts"?');
    expect(r.stderr).toContain("rules decide --help");
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect((await rules(["--frobnicate"])).code).toBe(2);
    expect((await rules(["compile", "simples.yaml", "--rules-only=sim"])).stderr).toContain(
      "a opção --rules-only não aceita valor",
    );
  });
});

describe("rules check", { timeout: SLOW }, () => {
  it("a clean file: no diagnostics, summary on stderr, exit 0", async () => {
    const r = await rules(["check", "simples.yaml"]);
    expect(r).toEqual({ code: 0, stdout: "", stderr: "Nenhum problema em 1 arquivo.\n" });
  });

  it("reports all three errors of a file, with exact positions, in one pass", async () => {
    const r = await rules(["check", "tres.yaml"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe("tres.yaml:9:19: error dsl/syntax esperava um valor, mas encontrou o fim da expressão");
    expect(lines[1]).toMatch(/^tres\.yaml:12:11: error check\/unknown-fact .*"idadee".* Você quis dizer "idade"\?$/);
    expect(lines[2]).toMatch(/^tres\.yaml:15:20: error check\/not-in-enum "Premium" .*"Básico", "Master"/);
    expect(r.stderr).toBe("3 erros e 0 avisos em 1 arquivo.\n");
  });

  it("prints paths as given (relative to the working directory)", async () => {
    const r = await rules(["check", "tres.yaml"], ROOT);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("arquivo não encontrado: tres.yaml");
    const inner = await rules(["check", join(dir, "tres.yaml")], ROOT);
    expect(inner.stdout.split("\n")[0]).toMatch(
      new RegExp(`^${join(dir, "tres.yaml").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:9:19: error `),
    );
  });

  it("checks several files and sums up; the shipped rule set is clean", async () => {
    const r = await rules(["check", "simples.yaml", "tres.yaml", RECLAME]);
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(3);
    expect(r.stderr).toBe("3 erros e 0 avisos em 3 arquivos.\n");
    expect((await rules(["check", RECLAME])).code).toBe(0);
  });

  it("warnings alone exit 0 (and are printed)", async () => {
    const stdout = capture();
    const stderr = capture();
    const ctx: CliContext = { argv: ["simples.yaml"], stdout, stderr, cwd: dir };
    const code = await check(ctx, () => [
      createWarning("check/type-mismatch", "aviso sintético", { start: 0, end: 7 }),
    ]);
    expect(code).toBe(0);
    expect(stdout.text).toBe("simples.yaml:1:1: warning check/type-mismatch aviso sintético\n");
    expect(stderr.text).toBe("0 erros e 1 aviso em 1 arquivo.\n");
  });

  it("prints related information indented under the diagnostic (duplicate key)", async () => {
    write("duplicada.yaml", "ruleset: dup\nfacts:\n  idade: integer\n  idade: string\n");
    const r = await rules(["check", "duplicada.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'duplicada.yaml:4:3: error yaml/duplicate-key chave duplicada "idade"\n  duplicada.yaml:3:3: nota: primeira ocorrência de "idade"\n',
    );
  });

  it("missing file: exit 1, `arquivo não encontrado`", async () => {
    const r = await rules(["check", "x.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("erro: arquivo não encontrado: x.yaml\n");
  });

  it("a directory given as file: exit 1", async () => {
    const r = await rules(["check", "pasta"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("erro: pasta é um diretório, não um arquivo");
  });

  it("no file: usage error, exit 2", async () => {
    const r = await rules(["check"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("erro: falta o arquivo de regras a verificar");
  });

  it("an empty file and a YAML error are diagnostics, not crashes", async () => {
    write("vazio.yaml", "");
    expect((await rules(["check", "vazio.yaml"])).stdout).toBe(
      "vazio.yaml:1:1: error yaml/syntax o arquivo está vazio\n",
    );
    write("quebrado.yaml", "ruleset: x\nfacts:\n  a: [1, 2\n");
    const r = await rules(["check", "quebrado.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^quebrado\.yaml:\d+:\d+: error yaml\/syntax /);
  });
});

describe("rules compile", { timeout: SLOW }, () => {
  it("prints the compiled JSON", async () => {
    const r = await rules(["compile", "simples.yaml"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const compiled = compileSource(SIMPLE).compiled;
    expect(r.stdout).toBe(`${JSON.stringify(compiled, null, 2)}\n`);
    const json = JSON.parse(r.stdout) as { name: string; rules: unknown[] };
    expect(json.name).toBe("exemplo-simples");
    expect(json.rules.length).toBeGreaterThan(0);
  });

  it("--rules-only prints only the json-rules-engine rules", async () => {
    const r = await rules(["compile", "--rules-only", RECLAME]);
    expect(r.code).toBe(0);
    const all = compileSource(readFileSync(RECLAME, "utf8")).compiled!;
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(all.rules)));
    expect(r.stdout).toBe(`${JSON.stringify(all.rules, null, 2)}\n`);
  });

  it("with errors: every diagnostic like check (on stderr), nothing on stdout, exit 1", async () => {
    const r = await rules(["compile", "tres.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines.slice(0, 3).map((l) => l.split(" ").slice(0, 3).join(" "))).toEqual([
      "tres.yaml:9:19: error dsl/syntax",
      "tres.yaml:12:11: error check/unknown-fact",
      "tres.yaml:15:20: error check/not-in-enum",
    ]);
    expect(lines[3]).toBe("3 erros e 0 avisos em 1 arquivo.");
  });

  it("usage and input errors", async () => {
    expect((await rules(["compile"])).code).toBe(2);
    const two = await rules(["compile", "simples.yaml", "tres.yaml"]);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain("este comando aceita um só arquivo");
    const missing = await rules(["compile", "nao-existe.yaml"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("erro: arquivo não encontrado: nao-existe.yaml\n");
    expect((await rules(["compile", "pasta"])).code).toBe(1);
  });
});

describe("rules decide", { timeout: SLOW }, () => {
  it("decides with inline facts", async () => {
    const r = await rules(["decide", "simples.yaml", "--facts", '{"idade": 30, "plano": "Master"}']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const expected = { decision: { categoria: "A" }, fired: ["adulto no plano Master"] };
    expect(JSON.parse(r.stdout)).toEqual(expected);
    expect(r.stdout).toBe(`${JSON.stringify(expected, null, 2)}\n`);
  });

  it("reads facts from @file (relative to the working directory) and accepts --facts=", async () => {
    write("fatos.json", '{ "idade": 10 }\n');
    const r = await rules(["decide", "simples.yaml", "--facts", "@fatos.json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ decision: { categoria: null }, fired: [] });
    const eq = await rules(["decide", "simples.yaml", '--facts={"idade": 18}']);
    expect(JSON.parse(eq.stdout).decision).toEqual({ categoria: "B" });
  });

  it("decides the shipped rule set", async () => {
    const facts = {
      numero: "1",
      tipoAtendimento: "Reclamação",
      tipoCliente: "Beneficiário",
      servico: "Reembolso",
      entradaEm: "2026-04-01T09:15:00",
    };
    const r = await rules(["decide", RECLAME, "--facts", JSON.stringify(facts)]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { decision: Record<string, unknown>; fired: string[] };
    expect(out.decision.acao).toBe("DESIGNAR");
    expect(out.decision.designacao).toBe("GIPES");
    expect(out.fired).toContain("designar pela tabela");
  });

  it("--explain adds the trace", async () => {
    const r = await rules(["decide", "simples.yaml", "--facts", '{"idade": 30}', "--explain"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      decision: unknown;
      fired: string[];
      trace: { name: string; matched: boolean | null }[];
    };
    expect(Object.keys(out)).toEqual(["decision", "fired", "trace"]);
    expect(out.trace.map((t) => [t.name, t.matched])).toEqual([
      ["adulto no plano Master", false],
      ["adulto", true],
    ]);
  });

  it("invalid facts: each `path: message` on stderr, exit 1", async () => {
    const r = await rules(["decide", "simples.yaml", "--facts", '{"idade": "30", "plano": "Premium", "idadee": 1}']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^fatos inválidos: /);
    expect(lines).toContain("/idade: deve ser inteiro");
    expect(lines.some((l) => /^\/plano: valor não aceito\..*"Básico", "Master"/.test(l))).toBe(true);
    expect(lines.some((l) => /^\/idadee: campo desconhecido\. Você quis dizer "idade"\?$/.test(l))).toBe(true);
    const notObject = await rules(["decide", "simples.yaml", "--facts", "[1]"]);
    expect(notObject.code).toBe(1);
    expect(notObject.stderr).toContain("(fatos): esperava um objeto com os fatos");
  });

  it("bad JSON in --facts: exit 1 with the position", async () => {
    const r = await rules(["decide", "simples.yaml", "--facts", '{"idade": }']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "erro: JSON inválido em --facts, linha 1, coluna 11 (posição 10): esperava um valor (texto entre aspas duplas, número, true, false, null, objeto ou lista), mas encontrou '}'\n",
    );
    write("ruim.json", '{\n  "idade": 30,\n}\n');
    const f = await rules(["decide", "simples.yaml", "--facts", "@ruim.json"]);
    expect(f.code).toBe(1);
    expect(f.stderr).toBe(
      "erro: JSON inválido em ruim.json:3:1 (posição 17): esperava o nome de um campo entre aspas duplas, mas encontrou '}'\n",
    );
  });

  it("usage and input errors", async () => {
    const noFacts = await rules(["decide", "simples.yaml"]);
    expect(noFacts.code).toBe(2);
    expect(noFacts.stderr).toContain("erro: falta a opção obrigatória --facts");
    const noValue = await rules(["decide", "simples.yaml", "--facts"]);
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toContain("a opção --facts precisa de um valor");
    const ambiguous = await rules(["decide", "simples.yaml", "--facts", "--explain"]);
    expect(ambiguous.code).toBe(2);
    expect((await rules(["decide", "--facts", "{}"])).code).toBe(2);
    expect((await rules(["decide", "simples.yaml", "--facts", "@"])).code).toBe(2);
    const missingFacts = await rules(["decide", "simples.yaml", "--facts", "@nada.json"]);
    expect(missingFacts.code).toBe(1);
    expect(missingFacts.stderr).toBe("erro: arquivo não encontrado: nada.json\n");
    const missingRules = await rules(["decide", "nada.yaml", "--facts", "{}"]);
    expect(missingRules.code).toBe(1);
    expect(missingRules.stderr).toBe("erro: arquivo não encontrado: nada.yaml\n");
    const broken = await rules(["decide", "tres.yaml", "--facts", "{}"]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe("");
    expect(broken.stderr).toContain("tres.yaml:12:11: error check/unknown-fact");
  });
});

describe("rules fmt", { timeout: SLOW }, () => {
  it("prints the formatted text on stdout (the file is untouched)", async () => {
    const path = write("feio.yaml", UNFORMATTED);
    const r = await rules(["fmt", "feio.yaml"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(formatRuleSet(UNFORMATTED).text);
    expect(r.stdout).toContain('when: idade >= 18 and plano == "Master"');
    expect(readFileSync(path, "utf8")).toBe(UNFORMATTED);
  });

  it("--check: exit 0 when formatted, 1 listing the files that are not", async () => {
    write("feio2.yaml", UNFORMATTED);
    expect(await rules(["fmt", "--check", "simples.yaml"])).toEqual({
      code: 0,
      stdout: "",
      stderr: "O arquivo está formatado.\n",
    });
    const r = await rules(["fmt", "--check", "simples.yaml", "feio2.yaml", RECLAME]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("feio2.yaml\n");
    expect(r.stderr).toContain("1 arquivo não está formatado");
    expect(readFileSync(join(dir, "feio2.yaml"), "utf8")).toBe(UNFORMATTED);
  });

  it("--write rewrites the file in place (no temporary file left) and is then --check clean", async () => {
    const path = write("feio3.yaml", UNFORMATTED);
    chmodSync(path, 0o640);
    const r = await rules(["fmt", "--write", "feio3.yaml"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("formatado: feio3.yaml");
    expect(readFileSync(path, "utf8")).toBe(formatRuleSet(UNFORMATTED).text);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect((await rules(["fmt", "--check", "feio3.yaml"])).code).toBe(0);
    const again = await rules(["fmt", "--write", "feio3.yaml"]);
    expect(again.stderr).toBe("0 arquivos reescritos.\n");
  });

  it("--write on a file with a syntax error leaves it byte-identical, exit 1", async () => {
    const source = THREE_ERRORS.replace("when: idadee > 10", "when: idadee>10");
    const path = write("erro.yaml", source);
    const before = readFileSync(path);
    const r = await rules(["fmt", "--write", "erro.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("erro.yaml:9:19: error dsl/syntax");
    expect(r.stderr).toContain("o arquivo não foi alterado");
    expect(readFileSync(path).equals(before)).toBe(true);
    write("erro-yaml.yaml", "ruleset: x\nrules:\n  - when: a>1\n   then: b = 1\n");
    const before2 = readFileSync(join(dir, "erro-yaml.yaml"));
    expect((await rules(["fmt", "--write", "erro-yaml.yaml"])).code).toBe(1);
    expect(readFileSync(join(dir, "erro-yaml.yaml")).equals(before2)).toBe(true);
  });

  it("a syntax error without --write: diagnostics, nothing on stdout, exit 1", async () => {
    const r = await rules(["fmt", "tres.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("tres.yaml:9:19: error dsl/syntax");
  });

  it("usage and input errors", async () => {
    expect((await rules(["fmt"])).code).toBe(2);
    const both = await rules(["fmt", "--check", "--write", "simples.yaml"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("use --check ou --write, não os dois juntos");
    const missing = await rules(["fmt", "--write", "x.yaml"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("erro: arquivo não encontrado: x.yaml");
    expect((await rules(["fmt", "pasta"])).code).toBe(1);
  });
});

describe("findJsonError", () => {
  it.each([
    ['{"a": 1}', undefined],
    ["[]", undefined],
    ['  {"a": [1, 2.5e3, true, null, "\\u00e9\\n"]}  ', undefined],
    ["", 0],
    ["   ", 0],
    ['{"a": 1,}', 8],
    ["{a: 1}", 1],
    ["[1, 2", 5],
    ['{"a": 1} x', 9],
    ['"abc', 4],
    ['{"a" 1}', 5],
    ["[01]", 2],
    ['["a\nb"]', 3],
    ['["\\x"]', 2],
    ["[1 2]", 3],
    ["[tru]", 1],
  ])("%j → %s", (text, offset) => {
    const found = findJsonError(text);
    expect(found?.offset).toBe(offset);
    if (offset === undefined) expect(() => JSON.parse(text)).not.toThrow();
    else expect(() => JSON.parse(text)).toThrow();
  });

  it("handles deep nesting without recursion", () => {
    expect(findJsonError("[".repeat(100_000))?.offset).toBe(100_000);
  });
});

/** `rules <args>` in `cwd`, as { code, out, err }. */
async function run(cwd: string, ...argv: string[]) {
  const r = await rules(argv, cwd);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

/** A small synthetic rule set: two rules, an enum fact, an object fact, an enum output, an object output. */
const MINI = `ruleset: mini
facts:
  idade: { type: integer, required: true }
  plano: { type: string, enum: [Básico, Master], default: Básico }
  endereco:
    type: object
    fields:
      uf: { type: string, enum: [SP, RJ] }
outputs:
  categoria: { type: string, enum: [A, B], nullable: true }
  detalhe:
    type: object
    nullable: true
    default: null
    fields:
      motivo: { type: string }
rules:
  - name: adulto
    when: idade >= 18
    then: categoria = "A"
  - name: menor
    when: idade < 18
    then: categoria = "B"
`;

/** Passes, covering one of the two rules (50%). */
const MINI_SUITE = `suite: mini
defaults:
  facts: { plano: Master }
cases:
  - name: adulto
    facts: { idade: 30, endereco: { uf: SP } }
    expect: { categoria: A }
  - name: adulto no plano Básico
    facts: { idade: 40, plano: Básico }
    expect: { categoria: A }
  - name: idade ausente
    omit: [plano]
    facts: {}
    expectError: { code: INVALID_FACTS, paths: [/idade] }
`;

/** Every kind of name or value the suite check catches; the last case sends wrong facts on purpose. */
const MISSPELT_SUITE = `suite: mini
defaults:
  facts:
    plano: Master
    idadde: 30
cases:
  - name: adulto
    facts: { idade: 30, endereco: { uf: SP } }
    expect: { categoria: A }
  - name: saída com erro de digitação
    facts: { idade: 30 }
    expect: { categria: A, detalhe: { motiv: x } }
  - name: valores fora da lista
    omit: [planno]
    facts: { idade: 10, plano: Basico, endereco: { uf: MG, cep: "01000-000" } }
    expect: { categoria: C }
  - name: erro esperado com fatos errados de propósito
    facts: { idade: 10, plano: Basico, inventado: 1 }
    expectError: { code: INVALID_FACTS, paths: [/plano] }
`;

function miniWorkspace(suite: string): string {
  const dir = mkdtempSync(join(tmpdir(), "rules-mini-"));
  writeFileSync(join(dir, "mini.yaml"), MINI);
  writeFileSync(join(dir, "mini.test.yaml"), suite);
  return dir;
}

/** `file:line:column: severity code` of each diagnostic line. */
function heads(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => /^\S+:\d+:\d+: /.test(l))
    .map((l) => l.split(" ").slice(0, 3).join(" "));
}

describe("suites checked against their rule set", { timeout: SLOW }, () => {
  const expected = [
    "mini.test.yaml:5:5: error check/unknown-fact",
    "mini.test.yaml:12:15: error check/unknown-output",
    "mini.test.yaml:12:39: error check/unknown-output",
    "mini.test.yaml:14:12: error check/unknown-fact",
    "mini.test.yaml:15:32: error check/not-in-enum",
    "mini.test.yaml:15:56: error check/not-in-enum",
    "mini.test.yaml:15:60: error check/unknown-fact",
    "mini.test.yaml:16:26: error check/not-in-enum",
  ];

  it("rules check on a suite: misspelt facts, outputs and enum values with positions and suggestions", async () => {
    const dir = miniWorkspace(MISSPELT_SUITE);
    const r = await run(dir, "check", "mini.test.yaml");
    expect(r.code).toBe(1);
    expect(heads(r.out)).toEqual(expected);
    expect(r.out).toContain('"categria"');
    expect(r.out).toContain('Você quis dizer "categoria"?');
    expect(r.out).toContain('Você quis dizer "motivo"?');
    expect(r.out).toContain('Você quis dizer "idade"?');
    expect(r.out).toContain('Você quis dizer "plano"?');
    expect(r.out).toContain('Você quis dizer "Básico"?');
    expect(r.err).toBe("8 erros e 0 avisos em 1 arquivo.\n");
  });

  it("rules check on a correct suite finds nothing", async () => {
    const dir = miniWorkspace(MINI_SUITE);
    const r = await run(dir, "check", "mini.test.yaml");
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
  });

  it("a suite without its rule set beside it is checked for structure only, with a warning", async () => {
    const dir = miniWorkspace(MINI_SUITE);
    writeFileSync(join(dir, "outra.test.yaml"), MISSPELT_SUITE.replace("suite: mini", "suite: outra"));
    const r = await run(dir, "check", "outra.test.yaml");
    expect(r.code).toBe(0);
    expect(heads(r.out)).toEqual(["outra.test.yaml:1:1: warning ruleset/structure"]);
  });

  it("a suite naming another rule set, and a rule set with errors beside the suite", async () => {
    const dir = miniWorkspace(MINI_SUITE.replace("suite: mini", "suite: outra"));
    const other = await run(dir, "check", "mini.test.yaml");
    expect(other.code).toBe(1);
    expect(heads(other.out)).toEqual(["mini.test.yaml:1:8: error ruleset/structure"]);
    expect(other.out).toContain('a suíte testa "outra", mas o conjunto de regras ao lado é "mini"');
    writeFileSync(join(dir, "mini.test.yaml"), MINI_SUITE);
    writeFileSync(join(dir, "mini.yaml"), MINI.replace("when: idade >= 18", "when: idadee >= 18"));
    const broken = await run(dir, "check", "mini.test.yaml");
    expect(broken.code).toBe(0);
    expect(heads(broken.out)).toEqual(["mini.test.yaml:1:1: warning ruleset/structure"]);
    expect(broken.out).toContain("mini.yaml tem erros");
  });

  it("rules test reports the same problems before running and fails", async () => {
    const dir = miniWorkspace(MISSPELT_SUITE);
    const r = await run(dir, "test", "mini.test.yaml");
    expect(r.code).toBe(1);
    expect(heads(r.err)).toEqual(expected);
    expect(r.out).toMatch(/\d+ passed, \d+ failed/);
  });
});

describe("rules test --case, --min-coverage, JUnit messages", { timeout: SLOW }, () => {
  it("--case runs exactly the named case", async () => {
    const dir = miniWorkspace(MINI_SUITE);
    const r = await run(dir, "test", "mini.test.yaml", "--case", "adulto");
    expect(r.code).toBe(0);
    expect(r.out).toContain("✓ adulto\n");
    expect(r.out).not.toContain("adulto no plano Básico");
    expect(r.out).toContain("1 passed, 0 failed");
  });

  it("--case with a name that no case has: exit 2 with a suggestion", async () => {
    const dir = miniWorkspace(MINI_SUITE);
    const r = await run(dir, "test", "mini.test.yaml", "--case", "adulto no plano Basico");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain('nenhum caso chamado "adulto no plano Basico" em mini.test.yaml');
    expect(r.err).toContain('Você quis dizer "adulto no plano Básico"?');
  });

  it("--min-coverage fails below the threshold with a clear message", async () => {
    const dir = miniWorkspace(MINI_SUITE);
    const below = await run(dir, "test", "mini.test.yaml", "--min-coverage", "80");
    expect(below.code).toBe(1);
    expect(below.out).toContain("3 passed, 0 failed");
    expect(below.err).toContain(
      "erro: a cobertura de mini (mini.test.yaml) é 50%, abaixo do mínimo de 80% (--min-coverage)",
    );
    const at = await run(dir, "test", "mini.test.yaml", "--min-coverage=50");
    expect(at.code).toBe(0);
    expect(at.err).toBe("");
    for (const bad of ["abc", "101", "-5"]) {
      const r = await run(dir, "test", "mini.test.yaml", `--min-coverage=${bad}`);
      expect(r.code).toBe(2);
      expect(r.err).toContain("--min-coverage deve ser uma porcentagem de 0 a 100");
    }
  });

  it("JUnit failure messages name the field that differs, with expected and actual values", async () => {
    const dir = miniWorkspace(
      MINI_SUITE.replace(
        "expect: { categoria: A }\n  - name: adulto no",
        "expect: { categoria: B }\n  - name: adulto no",
      ).replace("code: INVALID_FACTS, paths", "code: RULESET_DEFECT, paths"),
    );
    const r = await run(dir, "test", "mini.test.yaml", "--reporter", "junit");
    expect(r.code).toBe(1);
    expect(r.out).toContain('<failure message="decision.categoria: esperado &quot;B&quot;, obtido &quot;A&quot;">');
    expect(r.out).toContain(
      '<failure message="error.code: esperado &quot;RULESET_DEFECT&quot;, obtido &quot;INVALID_FACTS&quot;">',
    );
  });
});

describe("rules test: `fired` names", { timeout: SLOW }, () => {
  it("a name no rule has is reported as a typo with a suggestion (text and JUnit)", async () => {
    const dir = miniWorkspace(
      MINI_SUITE.replace(
        "expect: { categoria: A }\n  - name: adulto no",
        "expect: { categoria: A }\n    fired: [adlto]\n  - name: adulto no",
      ),
    );
    const text = await run(dir, "test", "mini.test.yaml");
    expect(text.code).toBe(1);
    expect(text.out).toContain(
      'fired: a regra "adlto" não disparou (nenhuma regra tem esse nome. Você quis dizer "adulto"?)',
    );
    const junit = await run(dir, "test", "mini.test.yaml", "--reporter", "junit");
    expect(junit.out).toContain(
      '<failure message="fired: a regra &quot;adlto&quot; não disparou (nenhuma regra tem esse nome. Você quis dizer &quot;adulto&quot;?)">',
    );
  });
});

describe("rules test --watch (in-process, on a terminal)", () => {
  it("clears the screen before each new run and stops when its signal is aborted", async () => {
    const dir = miniWorkspace(MINI_SUITE);
    let out = "";
    let err = "";
    const controller = new AbortController();
    const ctx: CliContext = {
      argv: ["mini.test.yaml", "--watch"],
      cwd: dir,
      stdout: Object.assign({ write: (s: string) => (out += s) }, { isTTY: true }),
      stderr: { write: (s: string) => (err += s) },
    };
    const running = testCommand(ctx, { signal: controller.signal, debounceMs: 50 });
    const until = async (what: string, done: () => boolean) => {
      const deadline = Date.now() + 60_000;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`${what} não chegou; stdout: ${out}\nstderr: ${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until("a espera", () => err.includes("aguardando alterações"));
    expect(out).not.toContain("\u001b[2J");
    writeFileSync(
      join(dir, "mini.test.yaml.tmp"),
      MINI_SUITE.replace("expect: { categoria: A }", "expect: { categoria: B }"),
    );
    renameSync(join(dir, "mini.test.yaml.tmp"), join(dir, "mini.test.yaml"));
    await until("o relatório depois da alteração", () => out.includes("2 passed, 1 failed"));
    const second = out.slice(
      out.lastIndexOf("\u001b[2J", out.indexOf("2 passed, 1 failed")),
      out.indexOf("2 passed, 1 failed") + 20,
    );
    expect(second.startsWith("\u001b[2J\u001b[3J\u001b[H")).toBe(true);
    expect(second).toContain("2 passed, 1 failed");
    expect(second).not.toContain("3 passed, 0 failed");
    controller.abort();
    expect(await running).toBe(1);
  }, 120_000);
});

/** bin/rules.js runs the compiled CLI: build dist/ now if needed (its "building dist/" line would be in stderr). */
function ensureBuilt(): void {
  const r = spawnSync(process.execPath, [join(ROOT, "scripts/ensure-build.js")], {
    encoding: "utf8",
    timeout: 900_000,
  });
  expect(r.status, r.stderr).toBe(0);
}

describe("rules test --watch (real process)", () => {
  beforeAll(ensureBuilt, 900_000);

  it("runs again when the rule set is saved", async () => {
    const dir = miniWorkspace(MINI_SUITE);
    const child = spawn(process.execPath, [join(ROOT, "bin/rules.js"), "test", "mini.test.yaml", "--watch"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
    const reports = (): string[] => [...(out.match(/\d+ passed, \d+ failed/g) ?? [])];
    const until = async (what: string, done: () => boolean) => {
      const deadline = Date.now() + 60_000;
      while (!done()) {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`${what} não chegou; stdout: ${out}\nstderr: ${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await until(
        "o primeiro relatório e a espera",
        () => reports().length === 1 && err.includes("aguardando alterações"),
      );
      expect(reports()[0]).toBe("3 passed, 0 failed");
      // Saved as editors do: a new file renamed over the old one.
      writeFileSync(
        join(dir, "mini.yaml.tmp"),
        MINI.replace('when: idade >= 18\n    then: categoria = "A"', 'when: idade >= 18\n    then: categoria = "B"'),
      );
      renameSync(join(dir, "mini.yaml.tmp"), join(dir, "mini.yaml"));
      await until("o relatório depois da alteração", () => reports().includes("1 passed, 2 failed"));
      expect(reports().length).toBeGreaterThanOrEqual(2);
      expect(out).toContain("— rules test: nova execução às ");
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill();
    }
  }, 120_000);
});

describe("bin/rules.js (real process)", () => {
  beforeAll(ensureBuilt, 900_000);

  it("node bin/rules.js check works from any directory", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "bin/rules.js"), "check", "tres.yaml", "simples.yaml"], {
      cwd: dir,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(
      r.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(" ").slice(0, 3).join(" ")),
    ).toEqual([
      "tres.yaml:9:19: error dsl/syntax",
      "tres.yaml:12:11: error check/unknown-fact",
      "tres.yaml:15:20: error check/not-in-enum",
    ]);
    expect(r.stderr).toBe("3 erros e 0 avisos em 2 arquivos.\n");
  }, 60_000);
});
