/**
 * Decision tables as grids: reading every shipped table, and grid edits (set a cell, add, move,
 * delete a row) that change only the edited rows' bytes, keep comments and styles, quote only
 * when needed and are refused when the result would not be the intended table.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkRuleSet } from "../../dsl/check/check-ruleset.js";
import { compileSource } from "../../dsl/compile/pipeline.js";
import type { Diagnostic } from "../../dsl/diagnostics.js";
import { loadRuleSet } from "../../dsl/ruleset/load.js";
import { createRuntime } from "../../engine/runtime.js";
import {
  addRow,
  deleteRow,
  type EditResult,
  gridColumns,
  moveRow,
  policyBadge,
  readTables,
  rowDiagnostics,
  setCell,
} from "./index.js";

const rulesDir = new URL("../../rules/", import.meta.url);
const shipped = readdirSync(rulesDir)
  .filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml"))
  .map((f) => ({ file: f, source: readFileSync(new URL(f, rulesDir), "utf8") }));
const reclame = shipped.find((s) => s.file === "reclame-designacao.yaml")?.source ?? "";

/** A rule set whose table has comments on rows and between rows, and every row style. */
const FIXTURE = `ruleset: grade-teste
description: Tabela para os testes da grade.
facts:
  idade: { type: number }
  canal: { type: string }
  motivo: { type: string }
outputs:
  grupo: { type: string, nullable: true }
  prazo: { type: number, nullable: true }
tables:
  - name: porMotivo
    hitPolicy: first
    onNoMatch: null
    inputs: [motivo, canal, idade]
    outputs: [grupo, prazo]
    rows:
      # Denúncias primeiro
      - { motivo: Denúncia, canal: -, idade: ">= 18", grupo: GIPES, prazo: 10 } # adultos
      - { motivo: Denúncia, grupo: CEPES, prazo: 5 }

      # Reclamações
      - motivo: Reclamação # só reclamações
        canal: telefone
        # o prazo é curto
        grupo: '2_NIVEL_CAIXA'
        prazo: 2
      - [Elogio, -, -, "-", 1]   # posicional
    # fim das linhas
rules:
  - name: designar
    then:
      - grupo = porMotivo.grupo
      - prazo = porMotivo.prazo
`;

function ok(result: EditResult): { text: string; range: { start: number; end: number } } {
  if (!result.ok) throw new Error(`edição recusada: ${result.message}`);
  return result;
}

function texts(source: string, table = 0): string[][] {
  return (readTables(source)[table]?.rows ?? []).map((r) => r.cells.map((c) => c.text));
}

function lines(text: string): string[] {
  return text.split("\n");
}

/** The source must change only inside [start, end) of the old text (the rest byte for byte). */
function expectOnlyChanged(before: string, after: string, start: number, end: number): void {
  expect(after.slice(0, start)).toBe(before.slice(0, start));
  expect(after.slice(after.length - (before.length - end))).toBe(before.slice(end));
}

/** A model value without its source positions (ranges and offsets). */
function withoutPositions(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null, (key, v) => (key === "range" || key === "offsets" ? undefined : v)));
}

function errors(source: string): Diagnostic[] {
  return compileSource(source).diagnostics.filter((d) => d.severity === "error");
}

// Heavy on a machine shared with other work: every shipped cell is edited.
describe("readTables", { timeout: 60_000 }, () => {
  it("reads every table of every shipped rule set as the loader does", () => {
    let tables = 0;
    for (const { file, source } of shipped) {
      const grid = readTables(source);
      const model = loadRuleSet(source).model;
      expect(
        grid.map((t) => t.name),
        file,
      ).toEqual(model?.tables.map((t) => t.name));
      for (const [i, table] of grid.entries()) {
        const decl = model?.tables[i];
        tables++;
        expect(table.index).toBe(i);
        expect(table.hitPolicy).toBe(decl?.hitPolicy);
        expect(table.inputs.map((c) => c.name)).toEqual(decl?.inputs.map((c) => c.name));
        expect(table.outputs.map((c) => c.name)).toEqual(decl?.outputs.map((c) => c.name));
        expect(table.rows.map((r) => r.range)).toEqual(decl?.rows.map((r) => r.range));
        for (const row of table.rows) {
          expect(row.cells.map((c) => c.column)).toEqual([...table.inputs, ...table.outputs].map((c) => c.name));
          for (const cell of row.cells) {
            expect(cell.range.start).toBeGreaterThanOrEqual(row.range.start);
            expect(cell.range.end).toBeLessThanOrEqual(row.range.end);
          }
        }
      }
    }
    expect(tables).toBe(3);
  });

  it("round trip: setting every cell to its own text, or moving a row onto itself, changes nothing", () => {
    for (const { source } of shipped) {
      for (const table of readTables(source)) {
        for (const row of table.rows) {
          for (const cell of row.cells)
            expect(ok(setCell(source, table.index, row.index, cell.column, cell.text)).text).toBe(source);
          expect(ok(moveRow(source, table.index, row.index, row.index)).text).toBe(source);
        }
      }
    }
  });

  it("round trip: every shipped row, typed again as a new row, is read by the loader as the same row", () => {
    for (const { file, source } of shipped) {
      for (const table of readTables(source)) {
        let text = source;
        for (const row of table.rows) {
          const cells = Object.fromEntries(row.cells.map((c) => [c.column, c.text]));
          text = ok(addRow(text, table.index, table.rows.length + row.index, cells)).text;
        }
        const rows = loadRuleSet(text).model?.tables[table.index]?.rows ?? [];
        expect(rows.length, file).toBe(table.rows.length * 2);
        for (const row of table.rows) {
          const copy = rows[table.rows.length + row.index];
          expect(withoutPositions(copy?.inputs), `${file} ${table.name} linha ${row.index + 1}`).toEqual(
            withoutPositions(rows[row.index]?.inputs),
          );
          expect(withoutPositions(copy?.outputs)).toEqual(withoutPositions(rows[row.index]?.outputs));
        }
      }
    }
  });

  it("reads cells of every style: flow and block maps, lists, absent inputs, descriptions, labels", () => {
    const [table] = readTables(FIXTURE);
    expect(table?.name).toBe("porMotivo");
    expect(table?.hitPolicy).toBe("first");
    expect(texts(FIXTURE)).toEqual([
      ["Denúncia", "-", ">= 18", "GIPES", "10"],
      ["Denúncia", "-", "-", "CEPES", "5"],
      ["Reclamação", "telefone", "-", "2_NIVEL_CAIXA", "2"],
      ["Elogio", "-", "-", "-", "1"],
    ]);
    const portal = readTables(shipped.find((s) => s.file === "portal-solicitacoes.yaml")?.source ?? "")[0];
    expect(portal?.rows[0]?.description).toMatch(/^\[seed 004, boleto digital\]/);
    expect(portal?.rows[0]?.cells.map((c) => c.text)).toEqual([
      "ADESAO_BOLETO_DIGITAL",
      "Adesão ao boleto digital realizada com sucesso!",
      "false",
    ]);
    const labelled = readTables(
      FIXTURE.replace("inputs: [motivo, canal, idade]", "inputs: [motivo, canal, 'idade + 0']"),
    );
    expect(labelled[0]?.inputs[2]).toMatchObject({ name: "entrada3", label: "'idade + 0'" });
  });

  it("gives no tables for a source whose YAML has errors", () => {
    expect(readTables("tables: [\n")).toEqual([]);
    expect(readTables("ruleset: x\n")).toEqual([]);
  });
});

describe("setCell", { timeout: 60_000 }, () => {
  it("changes one cell of reclame-designacao: only that row's bytes, and the decision follows", async () => {
    const [table] = readTables(reclame);
    const row = table?.rows[0];
    expect(row?.cells.map((c) => c.text)).toEqual(["Reclamação", "Beneficiário", "Autorização Prévia", "GIPES"]);
    const edited = ok(setCell(reclame, 0, 0, "designacao", "CEPES"));
    expectOnlyChanged(reclame, edited.text, row?.range.start ?? 0, row?.range.end ?? 0);
    expect(edited.text.slice(edited.range.start, edited.range.end)).toBe(
      "{ tipoAtendimento: Reclamação, tipoCliente: Beneficiário, servico: Autorização Prévia, designacao: CEPES }",
    );
    const compiled = compileSource(edited.text);
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const facts = {
      numero: "2026000101",
      tipoAtendimento: "Reclamação",
      entradaEm: "2026-04-01T09:15:00",
      tipoCliente: "Beneficiário",
      servico: "Autorização Prévia",
    };
    const before = await createRuntime(compileSource(reclame).compiled!).decide(facts);
    const after = await createRuntime(compiled.compiled!).decide(facts);
    expect(before.decision.designacao).toBe("GIPES");
    expect(after.decision.designacao).toBe("CEPES");
  });

  it("edits block-map rows in place, keeping the comments on and inside the row", () => {
    const row = readTables(FIXTURE)[0]?.rows[2];
    const edited = ok(setCell(FIXTURE, 0, 2, "canal", "e-mail"));
    expectOnlyChanged(FIXTURE, edited.text, row?.range.start ?? 0, row?.range.end ?? 0);
    expect(edited.text).toContain(
      "      - motivo: Reclamação # só reclamações\n        canal: e-mail\n        # o prazo é curto\n        grupo: '2_NIVEL_CAIXA'\n",
    );
    expect(errors(edited.text)).toEqual([]);
  });

  it("adds a column a map row leaves out next to its neighbours, and leaves it out for `-`", () => {
    const flow = ok(setCell(FIXTURE, 0, 1, "canal", "chat"));
    expect(lines(flow.text)).toContain("      - { motivo: Denúncia, canal: chat, grupo: CEPES, prazo: 5 }");
    const first = ok(setCell(FIXTURE.replace("{ motivo: Denúncia, grupo", "{ grupo"), 0, 1, "motivo", "Elogio"));
    expect(lines(first.text)).toContain("      - { motivo: Elogio, grupo: CEPES, prazo: 5 }");
    const block = ok(setCell(FIXTURE, 0, 2, "idade", "< 18"));
    expect(block.text).toContain("        canal: telefone\n        idade: < 18\n        # o prazo é curto\n");
    expect(texts(block.text)[2]).toEqual(["Reclamação", "telefone", "< 18", "2_NIVEL_CAIXA", "2"]);
    expect(ok(setCell(FIXTURE, 0, 1, "canal", "-")).text).toBe(FIXTURE);
    expect(ok(setCell(FIXTURE, 0, 1, "canal", "  ")).text).toBe(FIXTURE);
  });

  it("writes positional (list) rows", () => {
    const edited = ok(setCell(FIXTURE, 0, 3, "grupo", "CEPES"));
    expect(lines(edited.text)).toContain("      - [Elogio, -, -, CEPES, 1]   # posicional");
    const test = ok(setCell(FIXTURE, 0, 3, "idade", "[1..5]"));
    expect(lines(test.text)).toContain('      - [Elogio, -, "[1..5]", "-", 1]   # posicional');
    expect(errors(test.text)).toEqual([]);
  });

  it("writes rows that are block lists, quoting the any cell there", () => {
    const block = FIXTURE.replace(
      '      - [Elogio, -, -, "-", 1]   # posicional\n',
      '      - - Elogio\n        - x\n        - y\n        - "-"\n        - 1\n',
    );
    expect(texts(block)[3]).toEqual(["Elogio", "x", "y", "-", "1"]);
    const any = ok(setCell(block, 0, 3, "canal", "-"));
    expect(any.text).toBe(block.replace("        - x\n", '        - "-"\n'));
    expect(ok(setCell(block, 0, 3, "canal", "a: b")).text).toBe(block.replace("        - x\n", '        - "a: b"\n'));
    const added = ok(addRow(block, 0, 4, { motivo: "Z", prazo: "2" }));
    expect(added.text.slice(added.range.start, added.range.end)).toBe(
      '- Z\n        - "-"\n        - "-"\n        - null\n        - 2',
    );
    expect(texts(added.text)[4]).toEqual(["Z", "-", "-", "null", "2"]);
  });

  it("quotes only when YAML would read the text otherwise, in flow and block rows", () => {
    const cases: [column: string, text: string, flow: string, block: string][] = [
      ["motivo", "Sim", "Sim", "Sim"],
      ["motivo", "123", '"123"', '"123"'],
      ["motivo", "null", '"null"', '"null"'],
      ["motivo", "true", '"true"', '"true"'],
      ["motivo", "a: b", '"a: b"', '"a: b"'],
      ["motivo", "#", '"#"', '"#"'],
      ["motivo", "a #b", '"a #b"', '"a #b"'],
      ["motivo", "a#b", "a#b", "a#b"],
      ["motivo", "- x", '"- x"', '"- x"'],
      ["motivo", "-x", "-x", "-x"],
      ["motivo", "Sim, Não", '"Sim, Não"', "Sim, Não"],
      [
        "motivo",
        "Financeiro – Parcelas não descontadas",
        "Financeiro – Parcelas não descontadas",
        "Financeiro – Parcelas não descontadas",
      ],
      ["motivo", 'diz "oi"', 'diz "oi"', 'diz "oi"'],
      ["motivo", '"oi"', "'\"oi\"'", "'\"oi\"'"],
      ["motivo", '"A", "B"', '\'"A", "B"\'', '\'"A", "B"\''],
      ["motivo", 'not("A")', 'not("A")', 'not("A")'],
      ["motivo", "[A, B]", "[A, B]", "[A, B]"],
      ["motivo", "Ação 😀 – ok", "Ação 😀 – ok", "Ação 😀 – ok"],
      ["motivo", "'A'", "\"'A'\"", "\"'A'\""],
      ["motivo", '= "(texto)"', '= "(texto)"', '= "(texto)"'],
      ["idade", ">= 18", '">= 18"', '">= 18"'],
      ["idade", "(0..10]", '"(0..10]"', "(0..10]"],
      ["idade", "[1..5]", '"[1..5]"', '"[1..5]"'],
      ["idade", "12", "12", "12"],
      ["idade", "null", "null", "null"],
      ["grupo", "-", "-", "-"],
      ["grupo", "123", '"123"', '"123"'],
      ["grupo", "= motivo", "= motivo", "= motivo"],
      ["prazo", "7", "7", "7"],
    ];
    for (const [column, text, flow, block] of cases) {
      const inFlow = ok(setCell(FIXTURE, 0, 0, column, text));
      const inBlock = ok(setCell(FIXTURE, 0, 2, column, text));
      const flowRow = readTables(inFlow.text)[0]?.rows[0];
      const blockRow = readTables(inBlock.text)[0]?.rows[2];
      const flowCell = flowRow?.cells.find((c) => c.column === column);
      const blockCell = blockRow?.cells.find((c) => c.column === column);
      expect(inFlow.text.slice(flowCell?.range.start, flowCell?.range.end), `${column}: ${text} (flow)`).toBe(flow);
      expect(inBlock.text.slice(blockCell?.range.start, blockCell?.range.end), `${column}: ${text} (block)`).toBe(
        block,
      );
      expect(flowCell?.text).toBe(text);
      expect(blockCell?.text).toBe(text);
      expectOnlyChanged(FIXTURE, inFlow.text, flowRow?.range.start ?? 0, FIXTURE.indexOf(" # adultos"));
    }
  });

  it("keeps a text meant as text when YAML would read a number, boolean or null: the loader sees a text", () => {
    const edited = ok(setCell(FIXTURE, 0, 0, "motivo", "123"));
    const row = loadRuleSet(edited.text).model?.tables[0]?.rows[0];
    expect(row?.inputs[0]).toMatchObject({ kind: "compare", value: { literal: { type: "string", value: "123" } } });
    const number = ok(setCell(FIXTURE, 0, 0, "prazo", "12"));
    expect(loadRuleSet(number.text).model?.tables[0]?.rows[0]?.outputs[1]).toMatchObject({
      literal: { type: "number", value: 12 },
    });
  });

  it("replaces empty values and block scalars, keeps row descriptions, escapes only what needs it", () => {
    const empty = FIXTURE.replace("        prazo: 2\n", "        prazo:\n");
    expect(texts(empty)[2]?.[4]).toBe("null");
    expect(ok(setCell(empty, 0, 2, "prazo", "3")).text).toBe(
      FIXTURE.replace("        prazo: 2\n", "        prazo: 3\n"),
    );
    const folded = FIXTURE.replace("        prazo: 2\n", "        prazo: >-\n          2\n");
    expect(texts(folded)[2]?.[4]).toBe("2");
    expect(ok(setCell(folded, 0, 2, "prazo", "3")).text).toBe(
      FIXTURE.replace("        prazo: 2\n", "        prazo: 3\n"),
    );
    const described = FIXTURE.replace("        prazo: 2\n", "        prazo: 2\n        description: uma descrição\n");
    expect(readTables(described)[0]?.rows[2]?.description).toBe("uma descrição");
    expect(ok(setCell(described, 0, 2, "grupo", "CEPES")).text).toBe(
      described.replace("grupo: '2_NIVEL_CAIXA'", "grupo: CEPES"),
    );
    expect(ok(setCell(FIXTURE, 0, 0, "motivo", "a\\b #")).text).toContain("{ motivo: 'a\\b #', canal");
    expect(ok(setCell(FIXTURE, 0, 0, "motivo", "a\nb")).text).toContain('{ motivo: "a\\nb", canal');
  });

  it("shows a cell written as a block list as the flow list one would type, and replaces it", () => {
    const list = FIXTURE.replace(
      "      - motivo: Reclamação # só reclamações\n",
      "      - motivo:\n          - Reclamação\n          - Queixa\n",
    );
    expect(texts(list)[2]?.[0]).toBe("[Reclamação, Queixa]");
    expect(ok(setCell(list, 0, 2, "motivo", "[Reclamação, Queixa]")).text).toBe(list);
    expect(ok(setCell(list, 0, 2, "motivo", "Reclamação")).text).toBe(
      FIXTURE.replace("      - motivo: Reclamação # só reclamações\n", "      - motivo: Reclamação\n"),
    );
    const commented = list.replace("- Reclamação\n", "- Reclamação # a primeira\n");
    expect(setCell(commented, 0, 2, "motivo", "Queixa")).toEqual({
      ok: false,
      message: "a célula tem comentários dentro do valor; edite o YAML diretamente",
    });
  });

  it("keeps CRLF line breaks", () => {
    const crlf = FIXTURE.replaceAll("\n", "\r\n");
    const edits = [
      setCell(crlf, 0, 2, "idade", "> 3"),
      addRow(crlf, 0, 4, { motivo: "X" }),
      addRow(crlf, 0, 3, { motivo: "X" }),
      moveRow(crlf, 0, 3, 0),
      moveRow(crlf, 0, 0, 3),
      deleteRow(crlf, 0, 2),
    ];
    for (const edit of edits) expect(ok(edit).text).not.toMatch(/[^\r]\n/);
    expect(ok(moveRow(crlf, 0, 3, 0)).text.length).toBe(crlf.length);
  });

  it("reuses the file's quotes", () => {
    const single = FIXTURE.replace('idade: ">= 18"', "idade: '>= 18'").replace('"-", 1]', "'-', 1]");
    const edited = ok(setCell(single, 0, 0, "motivo", "a: b"));
    expect(lines(edited.text)).toContain(
      "      - { motivo: 'a: b', canal: -, idade: '>= 18', grupo: GIPES, prazo: 10 } # adultos",
    );
    expect(ok(setCell(single, 0, 0, "motivo", "it's #1")).text).toContain(`motivo: "it's #1"`);
    // Rows without quotes: the rest of the file decides.
    const unquoted = FIXTURE.replace('idade: ">= 18"', "idade: -")
      .replace("grupo: '2_NIVEL_CAIXA'", "grupo: X")
      .replace('"-", 1]', "X, 1]");
    expect(ok(setCell(unquoted, 0, 0, "motivo", "a: b")).text).toContain('{ motivo: "a: b", canal');
    const singleFile = unquoted.replace("description: Tabela para os testes da grade.", "description: 'Tabela: grade'");
    expect(ok(setCell(singleFile, 0, 0, "motivo", "a: b")).text).toContain("{ motivo: 'a: b', canal");
  });

  it("refuses edits the loader would reject, or that are not about an existing cell", () => {
    const refused = (r: EditResult) => {
      expect(r.ok).toBe(false);
      return r.ok ? "" : r.message;
    };
    expect(refused(setCell(FIXTURE, 0, 9, "motivo", "x"))).toMatch(/não tem a linha 10/);
    expect(refused(setCell(FIXTURE, 0, 0, "nada", "x"))).toMatch(/não tem a coluna "nada"/);
    expect(refused(setCell(FIXTURE, 3, 0, "motivo", "x"))).toMatch(/não há a tabela 4/);
    expect(refused(setCell(`${FIXTURE}  x: [\n`, 0, 0, "motivo", "x"))).toMatch(/o YAML tem erros/);
    // Numbers JavaScript cannot hold: the loader rejects them.
    expect(refused(setCell(FIXTURE, 0, 0, "prazo", "1e400"))).toMatch(/^a edição foi recusada: .*1e400/);
    expect(refused(setCell(FIXTURE, 0, 2, "prazo", "9007199254740993"))).toMatch(/^a edição foi recusada: /);
    expect(refused(addRow(FIXTURE, 0, 0, { prazo: ".inf" }))).toMatch(/^a edição foi recusada: /);
  });
});

describe("addRow, moveRow, deleteRow", { timeout: 60_000 }, () => {
  it("adds a row in its neighbour's style, keeping the comments", () => {
    const flow = ok(addRow(FIXTURE, 0, 1, { motivo: "Sugestão", grupo: "CEPES", prazo: "3" }));
    expect(lines(flow.text).slice(16, 20)).toEqual([
      "      # Denúncias primeiro",
      '      - { motivo: Denúncia, canal: -, idade: ">= 18", grupo: GIPES, prazo: 10 } # adultos',
      "      - { motivo: Sugestão, canal: -, idade: -, grupo: CEPES, prazo: 3 }",
      "      - { motivo: Denúncia, grupo: CEPES, prazo: 5 }",
    ]);
    expect(flow.text.slice(flow.range.start, flow.range.end)).toBe(
      "{ motivo: Sugestão, canal: -, idade: -, grupo: CEPES, prazo: 3 }",
    );
    expect(texts(flow.text)[1]).toEqual(["Sugestão", "-", "-", "CEPES", "3"]);
    expect(flow.text.replace("      - { motivo: Sugestão, canal: -, idade: -, grupo: CEPES, prazo: 3 }\n", "")).toBe(
      FIXTURE,
    );

    const block = ok(addRow(FIXTURE, 0, 3, { motivo: "Elogio – loja", canal: "e-mail", grupo: "123" }));
    const added =
      '      - motivo: Elogio – loja\n        canal: e-mail\n        idade: -\n        grupo: "123"\n        prazo: null\n';
    expect(block.text).toBe(FIXTURE.replace("      - [Elogio,", `${added}      - [Elogio,`));
    expect(errors(block.text)).toEqual([]);

    const last = ok(addRow(FIXTURE, 0, 4, { motivo: "Outro", grupo: "GIPES", prazo: "1" }));
    expect(last.text).toBe(FIXTURE.replace("# posicional\n", "# posicional\n      - [Outro, -, -, GIPES, 1]\n"));
    const top = ok(addRow(FIXTURE, 0, 0));
    expect(top.text).toBe(
      FIXTURE.replace(
        "      # Denúncias primeiro\n",
        "      # Denúncias primeiro\n      - { motivo: -, canal: -, idade: -, grupo: null, prazo: null }\n",
      ),
    );
  });

  it("adds the first row of a table without rows", () => {
    const empty = FIXTURE.replace(/ {4}rows:\n[\s\S]*# fim das linhas\n/u, "    rows: []\n");
    const first = ok(addRow(empty, 0, 0, { motivo: "Denúncia", grupo: "GIPES", prazo: "1" }));
    expect(first.text).toBe(
      empty.replace(
        "    rows: []\n",
        "    rows:\n      - { motivo: Denúncia, canal: -, idade: -, grupo: GIPES, prazo: 1 }\n",
      ),
    );
    const none = empty.replace("    rows: []\n", "");
    const added = ok(addRow(none, 0, 0, { motivo: "Denúncia", grupo: "GIPES", prazo: "1" }));
    expect(added.text).toBe(first.text);
  });

  it("moves rows with their own lines and comments; comments between rows stay", () => {
    const down = ok(moveRow(FIXTURE, 0, 0, 2));
    expect(lines(down.text).slice(16, 27)).toEqual([
      "      # Denúncias primeiro",
      "      - { motivo: Denúncia, grupo: CEPES, prazo: 5 }",
      "",
      "      # Reclamações",
      "      - motivo: Reclamação # só reclamações",
      "        canal: telefone",
      "        # o prazo é curto",
      "        grupo: '2_NIVEL_CAIXA'",
      "        prazo: 2",
      '      - { motivo: Denúncia, canal: -, idade: ">= 18", grupo: GIPES, prazo: 10 } # adultos',
      '      - [Elogio, -, -, "-", 1]   # posicional',
    ]);
    expect(down.text.length).toBe(FIXTURE.length);
    expect(texts(down.text).map((r) => r[0])).toEqual(["Denúncia", "Reclamação", "Denúncia", "Elogio"]);
    expect(down.text.slice(down.range.start, down.range.end)).toMatch(/^\{ motivo: Denúncia, canal: -/);

    const up = ok(moveRow(FIXTURE, 0, 2, 0));
    expect(lines(up.text).slice(16, 24)).toEqual([
      "      # Denúncias primeiro",
      "      - motivo: Reclamação # só reclamações",
      "        canal: telefone",
      "        # o prazo é curto",
      "        grupo: '2_NIVEL_CAIXA'",
      "        prazo: 2",
      '      - { motivo: Denúncia, canal: -, idade: ">= 18", grupo: GIPES, prazo: 10 } # adultos',
      "      - { motivo: Denúncia, grupo: CEPES, prazo: 5 }",
    ]);
    expect(ok(moveRow(up.text, 0, 0, 2)).text).toBe(FIXTURE);

    const toEnd = ok(moveRow(FIXTURE, 0, 1, 3));
    const at = lines(toEnd.text).indexOf('      - [Elogio, -, -, "-", 1]   # posicional');
    expect(lines(toEnd.text).slice(at, at + 3)).toEqual([
      '      - [Elogio, -, -, "-", 1]   # posicional',
      "      - { motivo: Denúncia, grupo: CEPES, prazo: 5 }",
      "    # fim das linhas",
    ]);
    // A row goes right above the row it is moved before: below the comments between the two.
    expect(lines(ok(moveRow(toEnd.text, 0, 3, 1)).text).slice(17, 21)).toEqual([
      '      - { motivo: Denúncia, canal: -, idade: ">= 18", grupo: GIPES, prazo: 10 } # adultos',
      "",
      "      # Reclamações",
      "      - { motivo: Denúncia, grupo: CEPES, prazo: 5 }",
    ]);
    const original = texts(FIXTURE);
    for (let from = 0; from < 4; from++)
      for (let to = 0; to < 4; to++) {
        const moved = ok(moveRow(FIXTURE, 0, from, to));
        const order = original.filter((_, i) => i !== from);
        order.splice(to, 0, original[from] as string[]);
        expect(texts(moved.text), `${from} → ${to}`).toEqual(order);
        // The same lines, in another order: nothing lost, nothing added.
        expect(lines(moved.text).sort()).toEqual(lines(FIXTURE).sort());
        // Some orders put the general Denúncia row above the one for adults, which then never wins.
        expect(errors(moved.text).filter((d) => d.code !== "table/shadowed-row")).toEqual([]);
      }
  });

  it("moves rows of reclame-designacao touching only the moved rows' lines", () => {
    const moved = ok(moveRow(reclame, 0, 4, 0));
    const rows = readTables(reclame)[0]?.rows ?? [];
    const start = reclame.lastIndexOf("\n", rows[0]?.range.start) + 1;
    const end = reclame.indexOf("\n", rows[4]?.range.end) + 1;
    expectOnlyChanged(reclame, moved.text, start, end);
    expect(texts(moved.text)).toEqual([texts(reclame)[4], ...texts(reclame).filter((_, i) => i !== 4)]);
    expect(errors(moved.text)).toEqual([]);
  });

  it("deletes a row's own lines, keeping the comments around it", () => {
    const first = ok(deleteRow(FIXTURE, 0, 0));
    expect(first.text).toBe(
      FIXTURE.replace(
        '      - { motivo: Denúncia, canal: -, idade: ">= 18", grupo: GIPES, prazo: 10 } # adultos\n',
        "",
      ),
    );
    const block = ok(deleteRow(FIXTURE, 0, 2));
    expect(block.text).toBe(
      FIXTURE.replace(
        "      - motivo: Reclamação # só reclamações\n        canal: telefone\n        # o prazo é curto\n        grupo: '2_NIVEL_CAIXA'\n        prazo: 2\n",
        "",
      ),
    );
    expect(texts(block.text).map((r) => r[0])).toEqual(["Denúncia", "Denúncia", "Elogio"]);
    let all = FIXTURE;
    for (let i = 0; i < 4; i++) all = ok(deleteRow(all, 0, 0)).text;
    expect(all).toContain("    rows: []\n      # Denúncias primeiro\n\n      # Reclamações\n    # fim das linhas\n");
    expect(readTables(all)[0]?.rows).toEqual([]);
    expect(ok(addRow(all, 0, 0)).text).toContain(
      "    rows:\n      - { motivo: -, canal: -, idade: -, grupo: null, prazo: null }\n      # Denúncias",
    );
  });

  it("a row at the end of a file without a final line break", () => {
    const trimmed = `${FIXTURE.slice(0, FIXTURE.indexOf("    # fim das linhas"))}`.trimEnd();
    expect(ok(deleteRow(trimmed, 0, 3)).text).toBe(trimmed.slice(0, trimmed.lastIndexOf("\n")));
    expect(ok(addRow(trimmed, 0, 4, { motivo: "X", grupo: "Y", prazo: "1" })).text).toBe(
      `${trimmed}\n      - [X, -, -, Y, 1]`,
    );
    expect(ok(moveRow(trimmed, 0, 3, 0)).text.endsWith("        prazo: 2")).toBe(true);
  });

  it("refuses positions outside the table and unknown columns", () => {
    expect(addRow(FIXTURE, 0, 5)).toMatchObject({ ok: false });
    expect(addRow(FIXTURE, 0, 0, { nada: "x" })).toEqual({
      ok: false,
      message: 'a tabela porMotivo não tem a coluna "nada"',
    });
    expect(moveRow(FIXTURE, 0, 0, 4)).toMatchObject({ ok: false });
    expect(deleteRow(FIXTURE, 0, 4)).toEqual({ ok: false, message: "a tabela porMotivo não tem a linha 5" });
    const inline = FIXTURE.replace(
      / {4}rows:\n[\s\S]*# fim das linhas\n/u,
      "    rows: [[A, -, -, B, 1], [C, -, -, D, 2]]\n",
    );
    expect(moveRow(inline, 0, 0, 1)).toMatchObject({ ok: false, message: expect.stringMatching(/edite o YAML/) });
    expect(ok(setCell(inline, 0, 1, "grupo", "E")).text).toContain("rows: [[A, -, -, B, 1], [C, -, -, E, 2]]");
  });
});

describe("rowDiagnostics", () => {
  it("places each diagnostic on the row whose range holds it", () => {
    const source = FIXTURE.replace("prazo: 5 }", 'prazo: "cinco" }').replace('idade: ">= 18"', 'idade: ">= "');
    const loaded = loadRuleSet(source);
    const diagnostics = [...loaded.diagnostics, ...(loaded.model ? checkRuleSet(loaded.model).diagnostics : [])];
    const [table] = readTables(source);
    const byRow = rowDiagnostics(table!, diagnostics);
    expect([...byRow.keys()].sort()).toEqual([0, 1]);
    expect(byRow.get(0)?.map((d) => d.code)).toContain("dsl/syntax");
    expect(byRow.get(1)?.map((d) => d.code)).toContain("check/type-mismatch");
    const outside: Diagnostic = { code: "dsl/syntax", severity: "error", message: "x", range: { start: 0, end: 5 } };
    expect(rowDiagnostics(table!, [outside]).size).toBe(0);
  });
});

describe("every hit policy, aggregate and labels in the grid", () => {
  const DMN_LIKE = `ruleset: rotulos
description: Tabelas com rótulos DMN.
facts:
  idade: { type: integer, required: true }
  risco: { type: string, enum: [Alto, Baixo], required: true }
outputs:
  status: { type: string, nullable: true }
  total: { type: number, nullable: true }
tables:
  - name: aprovacao
    label: "Approval Decision"
    hitPolicy: priority
    inputs: [idade, risco]
    outputs: [status]
    labels: { idade: "Applicant Age", status: "Approval Status" }
    outputValues: { status: [Declined, Approved] }
    onNoMatch: null
    rows:
      - [">= 18", Baixo, Approved]
      - [-, -, Declined]
  - name: pontos
    hitPolicy: collect
    aggregate: sum
    inputs: [risco]
    outputs: [pontos]
    rows:
      - [Alto, 10]
      - [-, 1]
rules:
  - name: usa
    then:
      - status = aprovacao.status
      - total = pontos.pontos
`;

  it("reads every policy, the aggregate and the labels (a table without them reads as before)", () => {
    for (const policy of ["unique", "first", "any", "priority", "ruleOrder", "outputOrder", "collect"]) {
      const src = DMN_LIKE.replace("hitPolicy: priority", `hitPolicy: ${policy}`);
      expect(readTables(src)[0]?.hitPolicy, policy).toBe(policy);
    }
    const [aprovacao, pontos] = readTables(DMN_LIKE);
    expect(aprovacao?.label).toBe("Approval Decision");
    expect(aprovacao?.inputs.map((c) => [c.name, c.title])).toEqual([
      ["idade", "Applicant Age"],
      ["risco", undefined],
    ]);
    expect(aprovacao?.outputs.map((c) => [c.name, c.title])).toEqual([["status", "Approval Status"]]);
    expect(pontos).toMatchObject({ hitPolicy: "collect", aggregate: "sum" });
    expect(pontos && "label" in pontos).toBe(false);
    // aggregate belongs to collect only: on another policy the grid does not show it.
    expect(readTables(DMN_LIKE.replace("hitPolicy: collect", "hitPolicy: ruleOrder"))[1]).not.toHaveProperty(
      "aggregate",
    );
    const plain = readTables(FIXTURE)[0];
    expect(plain?.inputs.some((c) => "title" in c)).toBe(false);
    expect(plain).not.toHaveProperty("aggregate");
  });

  it("the header badge names every policy and the aggregate; columns show the label, the name in the tooltip", () => {
    const [aprovacao, pontos] = readTables(DMN_LIKE);
    expect(policyBadge(aprovacao as NonNullable<typeof aprovacao>)).toBe(
      "priority: vale a linha cuja saída vem primeiro em outputValues",
    );
    expect(policyBadge(pontos as NonNullable<typeof pontos>)).toBe(
      "collect (sum): a soma de cada saída nas linhas que casam",
    );
    const texts = ["unique", "first", "any", "priority", "ruleOrder", "outputOrder", "collect"].map((p) =>
      policyBadge({ hitPolicy: p as "unique" }),
    );
    expect(new Set(texts.map((t) => t.split(":")[0]))).toEqual(
      new Set(["unique", "first", "any", "priority", "ruleOrder", "outputOrder", "collect"]),
    );
    expect(gridColumns(aprovacao as NonNullable<typeof aprovacao>)).toEqual([
      { name: "idade", shown: "Applicant Age", title: "idade", kind: "input" },
      { name: "risco", shown: "risco", title: "risco", kind: "input" },
      { name: "status", shown: "Approval Status", title: "status", kind: "output" },
    ]);
    // An input written as a path keeps its expression in the tooltip, with the label or without.
    const path = readTables(
      DMN_LIKE.replace("inputs: [idade, risco]", "inputs: [idade, cliente.risco]").replace(
        "risco: { type: string, enum: [Alto, Baixo], required: true }",
        "cliente: { type: object, fields: { risco: { type: string } }, required: true }",
      ),
    )[0];
    expect(gridColumns(path as NonNullable<typeof path>)[1]).toEqual({
      name: "risco",
      shown: "risco",
      title: "cliente.risco",
      kind: "input",
    });
  });

  it("editing a cell of a labelled priority table changes only that cell", () => {
    const out = ok(setCell(DMN_LIKE, 0, 1, "status", "Approved"));
    expect(out.text).toBe(DMN_LIKE.replace("[-, -, Declined]", "[-, -, Approved]"));
  });
});
