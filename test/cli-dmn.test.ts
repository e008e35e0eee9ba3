/**
 * `rules dmn import|export|test`, run in-process in temporary folders: the TCK runner on hand-written
 * rule sets (exit codes, the report, --junit, --json), and the arguments and file handling of every
 * subcommand (missing files, folders, files too big, bad XML, refusing to overwrite).
 *
 * The block "with the DMN importer and exporter" needs dsl/dmn/import.ts and export.ts, written in
 * parallel with this file: it runs the real importer end to end (a TCK model imported, then its TCK
 * test file run against what was written).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { XML_LIMITS, childrenNamed, parseXml } from "../dsl/dmn/xml.js";
import { runRules } from "./helpers/cli.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TCK = join(ROOT, "test/fixtures/dmn-tck/compliance-level-2");
const RULES = join(ROOT, "test/fixtures/dmn-tck-rules");
/** Compiling rule sets on a shared, loaded machine: a generous budget. */
const SLOW = 120_000;

const tckTest = (name: string) => join(TCK, name, `${name}-test-01.xml`);
const tckModel = (name: string) => join(TCK, name, `${name}.dmn`);
const handWritten = (name: string) => join(RULES, `${name}.yaml`);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rules-dmn-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A file in the temporary folder. */
function put(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("rules dmn (usage)", () => {
  it("without a subcommand prints the usage on stderr (exit 2); --help on stdout", async () => {
    const none = await runRules(["dmn"], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Uso: rules dmn import <arquivo.dmn>");
    const help = await runRules(["dmn", "--help"], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("rules dmn test <regras.yaml> <testCases.xml> [--junit arquivo] [--json]");
    const topic = await runRules(["help", "dmn"], dir);
    expect(topic.stdout).toBe(help.stdout);
    const sub = await runRules(["dmn", "test", "--help"], dir);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toBe(help.stdout);
    const all = await runRules(["--help"], dir);
    expect(all.stdout).toContain("rules dmn import|export|test");
  });

  it.each([
    [["dmn", "importar", "x.dmn"], 'subcomando desconhecido "importar"'],
    [["dmn", "import"], "informe o arquivo DMN"],
    [["dmn", "import", "a.dmn", "b.dmn"], 'argumento inesperado "b.dmn"'],
    [["dmn", "import", "a.dmn", "--out"], "a opção --out precisa de um valor"],
    [["dmn", "import", "a.dmn", "--out", ""], "--out precisa da pasta"],
    [["dmn", "import", "a.dmn", "--tabela", "x"], 'opção desconhecida "--tabela"'],
    [["dmn", "export"], "informe o arquivo de regras"],
    [["dmn", "export", "r.yaml", "--table", " "], "--table precisa do nome de uma tabela"],
    [["dmn", "test", "r.yaml"], "informe o conjunto de regras e o arquivo de testes"],
    [["dmn", "test", "r.yaml", "t.xml", "u.xml"], 'argumento inesperado "u.xml"'],
    [["dmn", "test", "r.yaml", "t.xml", "--junit", ""], "--junit precisa do nome do arquivo"],
  ])("rules %j is a usage error (exit 2)", async (args, message) => {
    const r = await runRules(args, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain("Veja: rules dmn --help");
  });
});

describe("rules dmn test", () => {
  it(
    "exits 0 when every case passes, with the report on stdout",
    async () => {
      const r = await runRules(["dmn", "test", handWritten("0004-simpletable-U"), tckTest("0004-simpletable-U")], dir);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("tck-0004-simpletable-u (");
      expect(r.stdout).toMatch(/✓ 001\n {2}✓ 002\n {2}✓ 003\n/);
      expect(r.stdout).toContain(
        `não exercitado: approvalStatusTable · linha 4  ${handWritten("0004-simpletable-U")}:21:9`,
      );
      expect(r.stdout).toContain("3 passed, 0 failed");
    },
    SLOW,
  );

  it(
    "exits 1 when a case fails, showing expected and got, and writes the JUnit file",
    async () => {
      const wrong = put(
        "errada.yaml",
        readFileSync(handWritten("0108-first-hitpolicy"), "utf8").replace(
          '[">= 12", Medium, true, Approved, Standard]',
          '[">= 12", Medium, true, Declined, Standard]',
        ),
      );
      const test = put("casos.xml", readFileSync(tckTest("0108-first-hitpolicy"), "utf8"));
      expect(readFileSync(wrong, "utf8")).not.toBe(readFileSync(handWritten("0108-first-hitpolicy"), "utf8"));
      const again = await runRules(["dmn", "test", wrong, test, "--junit", "relatorio/tck.xml"], dir);
      expect(again.code).toBe(1);
      expect(again.stdout).toContain(`✗ 002  ${test}:35:`);
      expect(again.stdout).toContain(
        'Approval.Status: texto diferente\n        esperado: "Approved"\n        obtido:   "Declined"',
      );
      expect(again.stdout).toContain("2 passed, 1 failed");
      expect(again.stderr).toBe("JUnit gravado: relatorio/tck.xml\n");
      const junit = parseXml(readFileSync(join(dir, "relatorio/tck.xml"), "utf8"));
      expect(junit.attrs).toMatchObject({ tests: "3", failures: "1" });
      const suite = childrenNamed(junit, "testsuite")[0];
      const failing = (suite ? childrenNamed(suite, "testcase") : []).filter(
        (c) => childrenNamed(c, "failure").length > 0,
      );
      expect(failing.map((c) => c.attrs.name)).toEqual(["002"]);
    },
    SLOW,
  );

  it(
    "--json gives each case with its failures",
    async () => {
      const r = await runRules(
        ["dmn", "test", handWritten("0119-multi-collect-hitpolicy"), tckTest("0119-multi-collect-hitpolicy"), "--json"],
        dir,
      );
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({
        ruleset: "tck-0119-multi-collect-hitpolicy",
        modelName: "0119-multi-collect-hitpolicy.dmn",
        passed: 3,
        failed: 0,
        coverage: 100,
      });
      expect(out.cases.map((c: { id: string; passed: boolean }) => [c.id, c.passed])).toEqual([
        ["001", true],
        ["002", true],
        ["003", true],
      ]);
    },
    SLOW,
  );

  it(
    "a rule set with errors is reported like rules check (exit 1)",
    async () => {
      put("quebrada.yaml", "ruleset: quebrada\nfacts:\n  idade: inteiro\n");
      const r = await runRules(["dmn", "test", "quebrada.yaml", tckTest("0004-simpletable-U")], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^quebrada\.yaml:3:\d+: error /m);
      expect(r.stdout).toBe("");
    },
    SLOW,
  );

  it("a missing, empty, malformed or foreign test file is a clear error (exit 1)", async () => {
    const rules = handWritten("0004-simpletable-U");
    const missing = await runRules(["dmn", "test", rules, "nao-existe.xml"], dir);
    expect(missing).toMatchObject({ code: 1, stderr: "erro: arquivo não encontrado: nao-existe.xml\n" });

    mkdirSync(join(dir, "pasta.xml"));
    const folder = await runRules(["dmn", "test", rules, "pasta.xml"], dir);
    expect(folder.stderr).toBe("erro: pasta.xml é um diretório, não um arquivo de testes do DMN TCK\n");

    put("ruim.xml", '<?xml version="1.0"?>\n<testCases>\n  <testCase id="1">\n</testCases>\n');
    const bad = await runRules(["dmn", "test", rules, "ruim.xml"], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^ruim\.xml:4:\d+: erro: XML malformado: /);

    const notTck = await runRules(["dmn", "test", rules, tckModel("0004-simpletable-U")], dir);
    expect(notTck.code).toBe(1);
    expect(notTck.stderr).toContain(
      "erro: não é um arquivo de testes do DMN TCK: o elemento raiz é <definitions> (https://www.omg.org/spec/DMN/20230324/MODEL/)",
    );

    put(
      "vazio.xml",
      '<testCases xmlns="http://www.omg.org/spec/DMN/20160719/testcase"><modelName>x.dmn</modelName></testCases>',
    );
    const empty = await runRules(["dmn", "test", rules, "vazio.xml"], dir);
    expect(empty).toMatchObject({ code: 1, stderr: "erro: vazio.xml não tem nenhum caso de teste (<testCase>)\n" });

    put(
      "tipo.xml",
      `<testCases xmlns="http://www.omg.org/spec/DMN/20160719/testcase" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<testCase id="009"><inputNode name="Hora"><value xsi:type="xsd:time">10:00:00</value></inputNode></testCase></testCases>`,
    );
    const type = await runRules(["dmn", "test", rules, "tipo.xml"], dir);
    expect(type.code).toBe(1);
    expect(type.stderr).toMatch(
      /^tipo\.xml:2:\d+: erro: caso 009, nó de entrada "Hora": xsi:type "time" não é suportado/,
    );

    const doctype = put("doctype.xml", '<?xml version="1.0"?>\n<!DOCTYPE t [<!ENTITY a "b">]>\n<testCases/>\n');
    const refused = await runRules(["dmn", "test", rules, doctype], dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("declarações DOCTYPE não são aceitas");
  });

  it("a test file above the XML size limit is refused before it is read", async () => {
    const big = put("grande.xml", "");
    truncateSync(big, XML_LIMITS.maxBytes + 1);
    const r = await runRules(["dmn", "test", handWritten("0004-simpletable-U"), "grande.xml"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `erro: grande.xml tem ${XML_LIMITS.maxBytes + 1} bytes, acima do limite de ${XML_LIMITS.maxBytes} bytes (10 MB) para um arquivo importado\n`,
    );
  });

  it("a missing rule set is a clear error (exit 1)", async () => {
    const r = await runRules(["dmn", "test", "nao-existe.yaml", tckTest("0004-simpletable-U")], dir);
    expect(r).toMatchObject({ code: 1, stderr: "erro: arquivo não encontrado: nao-existe.yaml\n" });
  });
});

describe("rules dmn import and export (files, before the importer or exporter runs)", () => {
  it("import: a missing file, a folder, a file too big or an --out that is a file are clear errors", async () => {
    const missing = await runRules(["dmn", "import", "nao-existe.dmn"], dir);
    expect(missing).toMatchObject({ code: 1, stderr: "erro: arquivo não encontrado: nao-existe.dmn\n" });
    mkdirSync(join(dir, "modelo.dmn"));
    const folder = await runRules(["dmn", "import", "modelo.dmn"], dir);
    expect(folder).toMatchObject({ code: 1, stderr: "erro: modelo.dmn é um diretório, não um arquivo DMN\n" });
    const big = put("grande.dmn", "");
    truncateSync(big, XML_LIMITS.maxBytes + 1);
    const tooBig = await runRules(["dmn", "import", "grande.dmn"], dir);
    expect(tooBig.code).toBe(1);
    expect(tooBig.stderr).toContain("acima do limite de 10485760 bytes (10 MB)");
    put("arquivo.txt", "x");
    const notFolder = await runRules(["dmn", "import", tckModel("0004-simpletable-U"), "--out", "arquivo.txt"], dir);
    expect(notFolder.code).toBe(1);
    expect(notFolder.stderr).toContain("erro: arquivo.txt não é uma pasta");
  });

  it("export: a missing rule set, or an existing output without --force, is refused and nothing changes", async () => {
    const missing = await runRules(["dmn", "export", "nao-existe.yaml"], dir);
    expect(missing).toMatchObject({ code: 1, stderr: "erro: arquivo não encontrado: nao-existe.yaml\n" });
    put("regras.yaml", readFileSync(handWritten("0004-simpletable-U"), "utf8"));
    put("regras.dmn", "anterior");
    const existing = await runRules(["dmn", "export", "regras.yaml"], dir);
    expect(existing.code).toBe(1);
    expect(existing.stderr).toBe(
      "erro: regras.dmn já existe; use --force para substituí-lo ou --out para outro arquivo\n",
    );
    expect(readFileSync(join(dir, "regras.dmn"), "utf8")).toBe("anterior");
    mkdirSync(join(dir, "saida.dmn"));
    const folder = await runRules(["dmn", "export", "regras.yaml", "--out", "saida.dmn", "--force"], dir);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain("erro: saida.dmn é uma pasta");
  });
});

describe("rules dmn import and export (with the DMN importer and exporter)", () => {
  it(
    "import writes one rule set per decision table, which decides as the TCK's test file expects",
    async () => {
      const r = await runRules(["dmn", "import", tckModel("0004-simpletable-U"), "--out", "importadas"], dir);
      expect(r.code).toBe(0);
      const written = /^gravado: (importadas\/[a-z0-9-]+\.yaml) \(decisão "Approval Status", tabela \w+\)$/m.exec(
        r.stderr,
      );
      expect(written).not.toBeNull();
      const file = written?.[1] as string;
      const check = await runRules(["check", file], dir);
      expect(check.code).toBe(0);
      const test = await runRules(["dmn", "test", file, tckTest("0004-simpletable-U")], dir);
      expect(test.stdout).toContain("3 passed, 0 failed");
      expect(test.code).toBe(0);
    },
    SLOW,
  );

  it(
    "import never overwrites without --force: nothing is written, the file is unchanged",
    async () => {
      const first = await runRules(["dmn", "import", tckModel("0111-first-hitpolicy-singleoutputcol")], dir);
      expect(first.code).toBe(0);
      const file = /^gravado: ([a-z0-9-]+\.yaml) /m.exec(first.stderr)?.[1] as string;
      expect(file).toBeDefined();
      writeFileSync(join(dir, file), "editado à mão\n");
      const again = await runRules(["dmn", "import", tckModel("0111-first-hitpolicy-singleoutputcol")], dir);
      expect(again.code).toBe(1);
      expect(again.stderr).toBe(
        `erro: ${file} já existe; nada foi gravado (use --force para substituir ou --out para outra pasta)\n`,
      );
      expect(readFileSync(join(dir, file), "utf8")).toBe("editado à mão\n");
      const forced = await runRules(
        ["dmn", "import", tckModel("0111-first-hitpolicy-singleoutputcol"), "--force"],
        dir,
      );
      expect(forced.code).toBe(0);
      expect(readFileSync(join(dir, file), "utf8")).toContain("ruleset: ");
    },
    SLOW,
  );

  it("import of a file that is not XML, or a model outside the subset, reports each problem (exit 1)", async () => {
    put("ruim.dmn", '<?xml version="1.0"?>\n<definitions>\n  <decision>\n</definitions>\n');
    const bad = await runRules(["dmn", "import", "ruim.dmn"], dir);
    expect(bad.code).toBe(1);
    expect(`${bad.stdout}${bad.stderr}`).toMatch(/^ruim\.dmn:4:\d+: erro: /m);
    expect(bad.stderr).toContain("nenhuma tabela de decisão importada de ruim.dmn");

    const outside = await runRules(["dmn", "import", tckModel("0008-LX-arithmetic"), "--json"], dir);
    expect(outside.code).toBe(1);
    const out = JSON.parse(outside.stdout);
    expect(out.ruleSets).toEqual([]);
    expect(out.diagnostics.length).toBeGreaterThan(0);
    expect(out.diagnostics.some((d: { severity: string }) => d.severity === "error")).toBe(true);
  });

  it(
    "export writes <regras>.dmn beside the rule set, a DMN file that imports back",
    async () => {
      const rules = put("reclame-designacao.yaml", readFileSync(join(ROOT, "rules/reclame-designacao.yaml"), "utf8"));
      const r = await runRules(["dmn", "export", "reclame-designacao.yaml", "--table", "designacaoPorServico"], dir);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("gravado: reclame-designacao.dmn (1 tabela: designacaoPorServico)");
      const dmn = join(dir, "reclame-designacao.dmn");
      expect(statSync(dmn).size).toBeGreaterThan(0);
      expect(parseXml(readFileSync(dmn)).local).toBe("definitions");
      expect(statSync(rules).isFile()).toBe(true);
      const back = await runRules(["dmn", "import", "reclame-designacao.dmn", "--out", "de-volta"], dir);
      expect(back.code).toBe(0);
      const unknown = await runRules(
        ["dmn", "export", "reclame-designacao.yaml", "--table", "naoExiste", "--out", "x.dmn"],
        dir,
      );
      expect(unknown.code).toBe(1);
      expect(unknown.stdout).toMatch(/^reclame-designacao\.yaml(?::\d+:\d+)?: erro: /m);
    },
    SLOW,
  );
});
