/**
 * `rules table export|import`: decision tables to and from spreadsheets (xlsx and csv), run
 * in-process. The sheets are edited with exceljs as an analyst's spreadsheet program would save
 * them, then imported back: the rule-set file must change exactly where the sheet changed, and a bad
 * cell must be reported on its sheet cell with the file left untouched.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ExcelJS from "exceljs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_SHEET_BYTES, MAX_XLSX_EXPANDED_BYTES } from "../cli/table.js";
import { runRules } from "./helpers/cli.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RECLAME = readFileSync(join(ROOT, "rules/reclame-designacao.yaml"), "utf8");
const TABLE = "designacaoPorServico";
/** Compiling rule sets on a shared, loaded machine: a generous budget. */
const SLOW = 120_000;

/** Ranges, numbers written two ways, booleans, dates, lists, `not(...)`, a map row and comments. */
const FAIXAS = `# Tabela sintética com faixas, números, booleanos e datas.
ruleset: faixas-sinteticas
facts:
  idade: { type: integer, required: true }
  valor: { type: number, required: true }
  vip: { type: boolean, required: true }
  adesao: { type: date, required: true }
  canal: { type: string, enum: [telefone, chat, site], required: true }
outputs:
  faixa: { type: string, nullable: true }
  desconto: { type: number, nullable: true }
  prioritario: { type: boolean, nullable: true }
tables:
  - name: faixas
    hitPolicy: first
    inputs: [idade, valor, vip, adesao, canal]
    outputs: [faixa, desconto, prioritario]
    rows:
      # jovens
      - ["[0..17]", "< 100.50", true, ">= 2024-01-01", [telefone, chat], jovem, 0.1, true]
      - ["(17..59]", -, false, "< 2024-01-01", -, adulto, 1.50, false]
      - [">= 60", ">= 1000", -, "= 2023-06-30", 'not("site")', idoso, 5, null] # comentário no fim
      - { faixa: outro, desconto: 0, prioritario: false }
rules:
  - name: usa
    then:
      - faixa = faixas.faixa
      - desconto = faixas.desconto
      - prioritario = faixas.prioritario
`;

/** Texts with commas, semicolons, quotes, a line break and accents. */
const TEXTOS = `ruleset: textos-sinteticos
facts:
  motivo: { type: string, required: true }
outputs:
  mensagem: { type: string, nullable: true }
tables:
  - name: mensagens
    onNoMatch: null
    inputs: [motivo]
    outputs: [mensagem]
    rows:
      - { motivo: "Cobrança, indevida", mensagem: "Diga \\"olá\\"; depois; tchau" }
      - { motivo: Atenção, mensagem: "linha 1\\nlinha 2" }
      - [Ação, 'aspas "duplas" e vírgula, juntas']
rules:
  - name: usa
    then: mensagem = mensagens.mensagem
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rules-table-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

function read(name: string): string {
  return readFileSync(join(dir, name), "utf8");
}

/** Loads an xlsx, lets `edit` change its first sheet and saves it under `out`. */
async function editXlsx(file: string, out: string, edit: (ws: ExcelJS.Worksheet) => void): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(join(dir, file));
  const ws = workbook.worksheets[0];
  if (!ws) throw new Error("no sheet");
  edit(ws);
  await workbook.xlsx.writeFile(join(dir, out));
  return out;
}

/** The lines of `after` that differ from `before` (same line count expected). */
function changedLines(before: string, after: string): string[] {
  const a = before.split("\n");
  const b = after.split("\n");
  expect(b.length).toBe(a.length);
  return b.filter((line, i) => line !== a[i]);
}

describe("rules table: round trips", () => {
  it(
    "seed 002's 15-row table exported to xlsx and to csv and imported back gives a byte-identical file",
    async () => {
      write("r.yaml", RECLAME);
      for (const format of ["xlsx", "csv"]) {
        const exported = await runRules(["table", "export", "r.yaml", TABLE, `--${format}`], dir);
        expect(exported.code, exported.stderr).toBe(0);
        expect(exported.stderr).toContain("15 linhas");
        const imported = await runRules(["table", "import", "r.yaml", TABLE, `${TABLE}.${format}`], dir);
        expect(imported.code, imported.stderr).toBe(0);
        expect(imported.stdout).toContain("0 linhas alteradas, 0 adicionadas, 0 removidas, 15 iguais");
        expect(read("r.yaml")).toBe(RECLAME);
      }
    },
    SLOW,
  );

  it(
    "the xlsx has one sheet named after the table, a bold frozen header with the columns in order and the cells as written",
    async () => {
      write("f.yaml", FAIXAS);
      expect((await runRules(["table", "export", "f.yaml", "faixas", "--xlsx"], dir)).code).toBe(0);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(join(dir, "faixas.xlsx"));
      expect(workbook.worksheets.map((w) => w.name)).toEqual(["faixas"]);
      const ws = workbook.worksheets[0] as ExcelJS.Worksheet;
      const header = ws.getRow(1);
      expect((header.values as unknown[]).slice(1)).toEqual([
        "idade",
        "valor",
        "vip",
        "adesao",
        "canal",
        "faixa",
        "desconto",
        "prioritario",
      ]);
      expect(header.getCell(1).font?.bold).toBe(true);
      expect(ws.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
      // Exact numbers and booleans are typed; `1.50` keeps its writing as text; tests are texts.
      expect((ws.getRow(2).values as unknown[]).slice(1)).toEqual([
        "[0..17]",
        "< 100.50",
        true,
        ">= 2024-01-01",
        "[telefone, chat]",
        "jovem",
        0.1,
        true,
      ]);
      expect((ws.getRow(3).values as unknown[]).slice(1)).toEqual([
        "(17..59]",
        "-",
        false,
        "< 2024-01-01",
        "-",
        "adulto",
        "1.50",
        false,
      ]);
      expect(ws.getRow(4).getCell(5).value).toBe('not("site")');
      // A map row that leaves inputs out: `-` (any) in them.
      expect((ws.getRow(5).values as unknown[]).slice(1)).toEqual(["-", "-", "-", "-", "-", "outro", 0, false]);
    },
    SLOW,
  );

  it(
    "a table with ranges, numbers, booleans and dates round-trips through xlsx and csv byte for byte",
    async () => {
      write("f.yaml", FAIXAS);
      for (const format of ["xlsx", "csv"]) {
        expect((await runRules(["table", "export", "f.yaml", "faixas", `--${format}`], dir)).code).toBe(0);
        const imported = await runRules(["table", "import", "f.yaml", "faixas", `faixas.${format}`], dir);
        expect(imported.code, imported.stderr).toBe(0);
        expect(read("f.yaml")).toBe(FAIXAS);
      }
    },
    SLOW,
  );

  it(
    "csv: UTF-8 with BOM, `;`, CRLF, quoted fields; commas, quotes, line breaks and accents round-trip (NFD typed comes back NFC)",
    async () => {
      write("t.yaml", TEXTOS);
      expect((await runRules(["table", "export", "t.yaml", "mensagens", "--csv"], dir)).code).toBe(0);
      const bytes = readFileSync(join(dir, "mensagens.csv"));
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const csv = bytes.subarray(3).toString("utf8");
      expect(csv).toBe(
        [
          "motivo;mensagem",
          'Cobrança, indevida;"Diga ""olá""; depois; tchau"',
          'Atenção;"linha 1\nlinha 2"',
          'Ação;"aspas ""duplas"" e vírgula, juntas"',
          "",
        ].join("\r\n"),
      );
      expect((await runRules(["table", "import", "t.yaml", "mensagens", "mensagens.csv"], dir)).code).toBe(0);
      expect(read("t.yaml")).toBe(TEXTOS);

      // An analyst's edit: a new message with a comma, quotes and a decomposed (NFD) accent.
      const nfd = "Atenc\u0327a\u0303o".normalize("NFD");
      const edited = csv.replace('"linha 1\nlinha 2"', `"${nfd}: ""sim"", não"`);
      writeFileSync(join(dir, "editada.csv"), `\uFEFF${edited}`);
      const imported = await runRules(["table", "import", "t.yaml", "mensagens", "editada.csv"], dir);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toContain("1 linha alterada");
      const after = read("t.yaml");
      expect(changedLines(TEXTOS, after)).toEqual(["      - { motivo: Atenção, mensagem: 'Atenção: \"sim\", não' }"]);
      expect(after.normalize("NFC")).toBe(after);
      // And it comes back out as typed (NFC).
      expect((await runRules(["table", "export", "t.yaml", "mensagens", "--csv", "--force"], dir)).code).toBe(0);
      expect(read("mensagens.csv")).toContain('Atenção;"Atenção: ""sim"", não"');
    },
    SLOW,
  );

  it(
    "csv separated by commas and saved as Windows-1252 (Excel's plain CSV) is read too, with a warning",
    async () => {
      write("t.yaml", TEXTOS);
      const lines = [
        "motivo,mensagem",
        '"Cobrança, indevida","Diga ""olá""; depois; tchau"',
        'Atenção,"linha 1\nlinha 2"',
        'Ação,"aspas ""duplas"" e vírgula, juntas"',
        "",
      ].join("\r\n");
      writeFileSync(join(dir, "latin1.csv"), Buffer.from(lines, "latin1"));
      const imported = await runRules(["table", "import", "t.yaml", "mensagens", "latin1.csv"], dir);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stderr).toContain("Windows-1252");
      expect(read("t.yaml")).toBe(TEXTOS);
    },
    SLOW,
  );
});

describe("rules table import: edits", () => {
  it(
    "an edited cell changes exactly that row; comments and everything else stay identical",
    async () => {
      write("r.yaml", RECLAME);
      await runRules(["table", "export", "r.yaml", TABLE, "--xlsx"], dir);
      // Sheet row 4 = table row 3 (Cadastro – Inclusão/Renovação/exclusão...): 2_NIVEL_CAIXA → CEPES.
      await editXlsx(`${TABLE}.xlsx`, "editada.xlsx", (ws) => {
        ws.getRow(4).getCell(4).value = "CEPES";
      });
      const dry = await runRules(["table", "import", "r.yaml", TABLE, "editada.xlsx", "--dry-run"], dir);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain("1 linha alterada, 0 adicionadas, 0 removidas, 14 iguais");
      expect(dry.stdout).toContain("linha 4 da planilha");
      expect(read("r.yaml")).toBe(RECLAME);

      const imported = await runRules(["table", "import", "r.yaml", TABLE, "editada.xlsx"], dir);
      expect(imported.code, imported.stderr).toBe(0);
      const after = read("r.yaml");
      expect(changedLines(RECLAME, after)).toEqual([
        "      - { tipoAtendimento: Reclamação, tipoCliente: Beneficiário, servico: Cadastro – Inclusão/Renovação/exclusão de beneficiários dependentes, designacao: CEPES }",
      ]);
      expect(after).toContain("# Sem linha é intencional");
    },
    SLOW,
  );

  it(
    "a row inserted in the middle, one deleted and a date typed in Excel: only those rows change",
    async () => {
      write("f.yaml", FAIXAS);
      await runRules(["table", "export", "f.yaml", "faixas", "--xlsx"], dir);
      await editXlsx("faixas.xlsx", "editada.xlsx", (ws) => {
        // Row 3 (adulto) removed, a new row before the last one, with an Excel date in `adesao`.
        const last = (ws.getRow(5).values as unknown[]).slice(1);
        ws.spliceRows(3, 1);
        ws.spliceRows(
          4,
          1,
          [">= 90", "-", true, new Date(Date.UTC(2025, 1, 1)), "chat", "centenario", 7.5, true],
          last,
        );
        // Typed into a column formatted as a date (as Excel formats a cell where a date is typed).
        ws.getRow(4).getCell(4).numFmt = "dd/mm/yyyy";
      });
      const imported = await runRules(["table", "import", "f.yaml", "faixas", "editada.xlsx"], dir);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toContain("0 linhas alteradas, 1 adicionada, 1 removida, 3 iguais");
      const after = read("f.yaml");
      expect(after).toBe(
        FAIXAS.replace('      - ["(17..59]", -, false, "< 2024-01-01", -, adulto, 1.50, false]\n', "").replace(
          "      - { faixa: outro",
          '      - [">= 90", -, true, = 2025-02-01, chat, centenario, 7.5, true]\n      - { faixa: outro',
        ),
      );
    },
    SLOW,
  );
});

describe("rules table import: bad sheets", () => {
  async function badImport(edit: (ws: ExcelJS.Worksheet) => void) {
    write("r.yaml", RECLAME);
    await runRules(["table", "export", "r.yaml", TABLE, "--xlsx"], dir);
    await editXlsx(`${TABLE}.xlsx`, "ruim.xlsx", edit);
    const before = statSync(join(dir, "r.yaml")).mtimeMs;
    const result = await runRules(["table", "import", "r.yaml", TABLE, "ruim.xlsx"], dir);
    expect(result.code).toBe(1);
    expect(read("r.yaml")).toBe(RECLAME);
    expect(statSync(join(dir, "r.yaml")).mtimeMs).toBe(before);
    expect(result.stderr).toContain("r.yaml não foi alterado");
    return result.stderr;
  }

  it(
    "an unknown enum value: its sheet, row, column and message",
    async () => {
      const stderr = await badImport((ws) => {
        ws.getRow(5).getCell(4).value = "GIPEZ";
      });
      expect(stderr).toContain(
        'ruim.xlsx: aba "designacaoPorServico", linha 5, coluna D (designacao): "GIPEZ" não é um valor aceito aqui. Você quis dizer "GIPES"?',
      );
    },
    SLOW,
  );

  it(
    "a bad expression in an input cell",
    async () => {
      const stderr = await badImport((ws) => {
        ws.getRow(7).getCell(2).value = ">= ";
      });
      expect(stderr).toMatch(/ruim\.xlsx: aba "designacaoPorServico", linha 7, coluna B \(tipoCliente\): .+/);
    },
    SLOW,
  );

  it(
    "an unknown column (with a suggestion) and the column it replaced missing",
    async () => {
      const stderr = await badImport((ws) => {
        ws.getRow(1).getCell(3).value = "servicos";
      });
      expect(stderr).toContain('linha 1, coluna C: coluna desconhecida "servicos". Você quis dizer "servico"?');
      expect(stderr).toContain('linha 1: falta a coluna "servico" no cabeçalho');
    },
    SLOW,
  );

  it(
    "a missing column",
    async () => {
      const stderr = await badImport((ws) => {
        ws.spliceColumns(2, 1);
      });
      expect(stderr).toContain('aba "designacaoPorServico", linha 1: falta a coluna "tipoCliente" no cabeçalho');
    },
    SLOW,
  );

  it(
    "an Excel formula and a filled cell under no header",
    async () => {
      const stderr = await badImport((ws) => {
        ws.getRow(3).getCell(4).value = { formula: "1+1", result: 2 } as ExcelJS.CellFormulaValue;
        ws.getRow(6).getCell(6).value = "solto";
      });
      expect(stderr).toContain("linha 3, coluna D (designacao): a célula tem uma fórmula do Excel");
      expect(stderr).toContain("linha 6, coluna F: célula preenchida numa coluna sem nome no cabeçalho");
    },
    SLOW,
  );

  it(
    "an unknown table, a missing sheet, a file that is not a spreadsheet",
    async () => {
      write("r.yaml", RECLAME);
      await runRules(["table", "export", "r.yaml", TABLE, "--xlsx"], dir);
      const table = await runRules(["table", "import", "r.yaml", "designacao", `${TABLE}.xlsx`], dir);
      expect(table.code).toBe(1);
      expect(table.stderr).toContain('não há a tabela "designacao"');
      const sheet = await runRules(["table", "import", "r.yaml", TABLE, `${TABLE}.xlsx`, "--sheet", "Plan1"], dir);
      expect(sheet.code).toBe(1);
      expect(sheet.stderr).toContain('não tem a aba "Plan1". Abas: designacaoPorServico');
      write("falsa.xlsx", "isto não é um zip");
      const fake = await runRules(["table", "import", "r.yaml", TABLE, "falsa.xlsx"], dir);
      expect(fake.code).toBe(1);
      expect(fake.stderr).toContain("não é uma planilha .xlsx válida");
      expect(read("r.yaml")).toBe(RECLAME);
    },
    SLOW,
  );
});

describe("rules table import: untrusted files are bounded", () => {
  it(
    "a sheet over 20 MB, and an xlsx whose zip would expand past the limit, are refused before being parsed",
    async () => {
      write("r.yaml", RECLAME);
      writeFileSync(join(dir, "grande.csv"), "");
      truncateSync(join(dir, "grande.csv"), MAX_SHEET_BYTES + 1);
      const big = await runRules(["table", "import", "r.yaml", TABLE, "grande.csv"], dir);
      expect(big.code).toBe(1);
      expect(big.stderr).toContain(`o limite é ${MAX_SHEET_BYTES} (20 MB)`);
      // A zip whose one entry says it expands to 4 GB − 1 (a "zip bomb" in the small).
      const name = [0x61];
      const local = [0x50, 0x4b, 0x03, 0x04, ...Array(22).fill(0), 1, 0, 0, 0, ...name];
      const central = [0x50, 0x4b, 0x01, 0x02, ...Array(20).fill(0), 0xfe, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0, 0];
      central.push(...Array(12).fill(0), ...name);
      const end = [
        0x50,
        0x4b,
        0x05,
        0x06,
        0,
        0,
        0,
        0,
        1,
        0,
        1,
        0,
        central.length,
        0,
        0,
        0,
        local.length,
        0,
        0,
        0,
        0,
        0,
      ];
      writeFileSync(join(dir, "bomba.xlsx"), new Uint8Array([...local, ...central, ...end]));
      const bomb = await runRules(["table", "import", "r.yaml", TABLE, "bomba.xlsx"], dir);
      expect(bomb.code).toBe(1);
      expect(bomb.stderr).toContain(`se expande para ${0xfffffffe} bytes e o limite é ${MAX_XLSX_EXPANDED_BYTES}`);
      expect(read("r.yaml")).toBe(RECLAME);
    },
    SLOW,
  );
});

describe("rules table export: the output file", () => {
  it(
    "never overwrites without --force; --out picks the name (and the format by its extension)",
    async () => {
      write("r.yaml", RECLAME);
      write(`${TABLE}.csv`, "do analista");
      const refused = await runRules(["table", "export", "r.yaml", TABLE, "--csv"], dir);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("já existe; use --force");
      expect(read(`${TABLE}.csv`)).toBe("do analista");
      expect((await runRules(["table", "export", "r.yaml", TABLE, "--csv", "--force"], dir)).code).toBe(0);
      expect(read(`${TABLE}.csv`)).toContain("tipoAtendimento;tipoCliente;servico;designacao");
      expect((await runRules(["table", "export", "r.yaml", TABLE, "--out", "minha.xlsx"], dir)).code).toBe(0);
      expect([...readFileSync(join(dir, "minha.xlsx")).subarray(0, 2)]).toEqual([0x50, 0x4b]); // "PK": a zip
      const usage = await runRules(["table", "export", "r.yaml", TABLE], dir);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain("--xlsx ou --csv");
      const help = await runRules(["help", "table"], dir);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain("rules table import <regras.yaml> <tabela> <planilha.xlsx|.csv>");
      const bare = await runRules(["table"], dir);
      expect(bare.code).toBe(2);
      expect(bare.stderr).toContain("rules table export");
    },
    SLOW,
  );
});
