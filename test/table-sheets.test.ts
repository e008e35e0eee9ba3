/**
 * dsl/tables/sheet.ts (a table ⇄ spreadsheet rows, format-free) and the file-format helpers of
 * cli/table.ts: header mapping, row alignment (only what changed is written), empty cells, problems
 * placed on sheet cells, bounds.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { csvDelimiter, isoDate, rowList, sheetNameFor, zipExpandedSize } from "../cli/table.js";
import {
  columnLetter,
  MAX_SHEET_ROWS,
  type SheetData,
  type SheetValue,
  sheetToTable,
  tableToSheet,
} from "../dsl/tables/sheet.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RECLAME = readFileSync(join(ROOT, "rules/reclame-designacao.yaml"), "utf8");
const TABLE = "designacaoPorServico";
const SLOW = 120_000;

const SMALL = `ruleset: pequena
facts:
  canal: { type: string, enum: [telefone, chat, site], required: true }
  idade: { type: integer, required: true }
outputs:
  fila: { type: string, nullable: true }
tables:
  - name: filas
    hitPolicy: first
    inputs: [canal, idade]
    outputs: [fila]
    rows:
      - [telefone, ">= 60", PRIORITARIA] # idosos primeiro
      - [telefone, -, COMUM]
      # o resto
      - [-, -, DIGITAL]
rules:
  - name: usa
    then: fila = filas.fila
`;

/** A sheet from plain rows (row 1 = header). */
function sheet(header: readonly SheetValue[], ...rows: (readonly SheetValue[])[]): SheetData {
  return { header: { line: 1, cells: header }, rows: rows.map((cells, i) => ({ line: i + 2, cells })) };
}

function exported(source: string, table: string): SheetData {
  const t = tableToSheet(source, table);
  if ("error" in t) throw new Error(t.error);
  return sheet(
    t.columns.map((c) => c.name),
    ...t.rows.map((r) => [...r]),
  );
}

function ok(result: ReturnType<typeof sheetToTable>) {
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result;
}

describe("sheetToTable: rows", () => {
  it(
    "a row inserted in the middle of seed 002's table is added in its neighbour's style; the 15 others keep their bytes",
    () => {
      const data = exported(RECLAME, TABLE);
      const rows = [...data.rows.map((r) => r.cells)];
      rows.splice(5, 0, ["Reclamação", "Beneficiário", "Financeiro – Boleto, segunda via", "CEPES"]);
      const result = ok(sheetToTable(RECLAME, TABLE, sheet([...data.header.cells], ...rows)));
      expect(result.summary).toMatchObject({ added: 1, removed: 0, changed: 0, unchanged: 15, changedLines: [7] });
      const before = RECLAME.split("\n");
      const after = result.text.split("\n");
      expect(after.length).toBe(before.length + 4);
      const inserted = after.findIndex((l, i) => l !== before[i]);
      // After the block-map row of "Falta de atendimento" (4 lines), as a block map too.
      expect(after.slice(inserted, inserted + 4)).toEqual([
        "      - tipoAtendimento: Reclamação",
        "        tipoCliente: Beneficiário",
        "        servico: Financeiro – Boleto, segunda via",
        "        designacao: CEPES",
      ]);
      expect([...after.slice(0, inserted), ...after.slice(inserted + 4)]).toEqual(before);
    },
    SLOW,
  );

  it(
    "deleted rows go with their own lines, comments between rows stay; reordering is a delete and an insert",
    () => {
      const data = exported(SMALL, "filas");
      const [first, , third] = data.rows.map((r) => r.cells);
      const deleted = ok(
        sheetToTable(SMALL, "filas", sheet([...data.header.cells], first as SheetValue[], third as SheetValue[])),
      );
      expect(deleted.summary).toMatchObject({ removed: 1, removedRows: [2], unchanged: 2 });
      expect(deleted.text).toBe(SMALL.replace("      - [telefone, -, COMUM]\n", ""));
      // Seed 002's first row moved to the end (a unique table: order does not matter).
      const reclame = exported(RECLAME, TABLE);
      const rows = reclame.rows.map((r) => r.cells);
      const moved = ok(
        sheetToTable(RECLAME, TABLE, sheet([...reclame.header.cells], ...rows.slice(1), rows[0] as SheetValue[])),
      );
      expect(moved.summary).toMatchObject({ added: 1, removed: 1, changed: 0, unchanged: 14 });
      const line =
        "      - { tipoAtendimento: Reclamação, tipoCliente: Beneficiário, servico: Autorização Prévia, designacao: GIPES }";
      expect(moved.text.split("\n").filter((l) => l === line)).toHaveLength(1);
      // Everything else identical; the row is now the table's last.
      expect(moved.text.replace(`${line}\n`, "")).toBe(RECLAME.replace(`${line}\n`, ""));
      expect(moved.text).toContain(`${line}\n\nrules:`);
    },
    SLOW,
  );

  it(
    "columns are mapped by name in any order; empty input = `-`, empty output = null; empty rows and unnamed empty columns are ignored",
    () => {
      const result = ok(
        sheetToTable(
          SMALL,
          "filas",
          sheet(
            ["fila", "", "idade", "canal"],
            ["PRIORITARIA", "", ">= 60", "telefone"],
            ["", "", "", ""],
            ["COMUM", "", "", "telefone"],
            ["", "", "< 18", "chat"],
            ["DIGITAL", "", "-", ""],
          ),
        ),
      );
      expect(result.summary).toMatchObject({ added: 1, unchanged: 3 });
      // Inserted right above the next row (the editor grid's rule: comments between rows stay put).
      expect(result.text).toContain("      - [telefone, -, COMUM]\n      # o resto\n      - [chat, < 18, null]\n");
    },
    SLOW,
  );

  it(
    "several cells of one row, two of them left out of a map row, are written in column order",
    () => {
      const mapRows = SMALL.replace("      - [-, -, DIGITAL]", "      - { fila: DIGITAL }").replace(
        "    hitPolicy: first\n",
        "    hitPolicy: first\n    onNoMatch: null\n",
      );
      const data = exported(mapRows, "filas");
      const rows = data.rows.map((r) => [...r.cells]);
      rows[2] = ["site", "< 30", "SITE"];
      const result = ok(sheetToTable(mapRows, "filas", sheet([...data.header.cells], ...rows)));
      expect(result.summary).toMatchObject({ changed: 1, unchanged: 2, changedLines: [4] });
      expect(result.text).toBe(
        mapRows.replace("      - { fila: DIGITAL }", "      - { canal: site, idade: < 30, fila: SITE }"),
      );
    },
    SLOW,
  );

  it(
    "many rows added and removed at several places: each run written in one piece, the rest identical",
    () => {
      const big = SMALL.replace(
        "      - [telefone, -, COMUM]\n",
        `${Array.from({ length: 40 }, (_, i) => `      - [chat, "= ${i}", C${i}]\n`).join("")}      - [telefone, -, COMUM]\n`,
      ).replace("    hitPolicy: first\n", "    hitPolicy: first\n    onNoMatch: null\n");
      const data = exported(big, "filas");
      const rows = data.rows.map((r) => [...r.cells]);
      // Rows 2–11 (C0..C9) removed, three rows added after C20, two right above the last one.
      const edited = [
        rows[0] as SheetValue[],
        ...rows.slice(11, 22),
        ["site", "= 1", "S1"],
        ["site", "= 2", "S2"],
        ["site", "= 3", "S3"],
        ...rows.slice(22, 42),
        ["site", "< 0", "S4"],
        ["site", "> 99", "S5"],
        rows[42] as SheetValue[],
      ];
      const result = ok(sheetToTable(big, "filas", sheet([...data.header.cells], ...edited)));
      expect(result.summary).toMatchObject({ added: 5, removed: 10, changed: 0, unchanged: 33 });
      expect(result.summary.removedRows).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      let expected = big;
      for (let i = 0; i < 10; i++) expected = expected.replace(`      - [chat, "= ${i}", C${i}]\n`, "");
      expected = expected
        .replace(
          '      - [chat, "= 20", C20]\n',
          '      - [chat, "= 20", C20]\n      - [site, = 1, S1]\n      - [site, = 2, S2]\n      - [site, = 3, S3]\n',
        )
        .replace(
          "      - [-, -, DIGITAL]\n",
          '      - [site, < 0, S4]\n      - [site, "> 99", S5]\n      - [-, -, DIGITAL]\n',
        );
      expect(result.text).toBe(expected);
    },
    SLOW,
  );

  it("every row removed leaves `rows: []`", () => {
    const result = sheetToTable(
      SMALL.replace("    hitPolicy: first\n", "    hitPolicy: first\n    onNoMatch: null\n"),
      "filas",
      sheet(["canal", "idade", "fila"]),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.summary).toMatchObject({ removed: 3 });
    expect(result.text).toContain("    rows: []\n      # o resto\nrules:");
  });

  it("numbers and booleans typed in a text column stay texts", () => {
    const data = exported(SMALL, "filas");
    const rows = data.rows.map((r) => [...r.cells]);
    (rows[1] as SheetValue[])[2] = "123";
    const result = ok(sheetToTable(SMALL, "filas", sheet([...data.header.cells], ...rows)));
    expect(result.text).toContain('      - [telefone, -, "123"]');
  });

  it("a table without rows gets its first rows", () => {
    const empty = SMALL.replace(/ {4}rows:\n(?: {6}.*\n)+/, "    rows: []\n");
    const result = ok(sheetToTable(empty, "filas", sheet(["canal", "idade", "fila"], ["-", "-", "DIGITAL"])));
    expect(result.summary).toMatchObject({ added: 1 });
    expect(result.text).toContain("rows:\n      - { canal: -, idade: -, fila: DIGITAL }\n");
  });
});

describe("sheetToTable: problems", () => {
  it("a duplicate column, a cell under no header, a date in the header, too many rows", () => {
    const dup = sheetToTable(SMALL, "filas", sheet(["canal", "idade", "fila", "canal"], ["chat", "-", "X", "site"]));
    expect(dup.ok).toBe(false);
    if (!dup.ok)
      expect(dup.problems).toContainEqual(
        expect.objectContaining({ line: 1, column: 3, message: expect.stringContaining("aparece duas vezes") }),
      );
    const loose = sheetToTable(SMALL, "filas", sheet(["canal", "idade", "fila"], ["chat", "-", "X", "solto"]));
    expect(loose.ok).toBe(false);
    if (!loose.ok) expect(loose.problems).toContainEqual(expect.objectContaining({ line: 2, column: 3 }));
    const date = sheetToTable(SMALL, "filas", sheet(["canal", { date: "2026-01-01" }, "fila"]));
    expect(date.ok).toBe(false);
    const many = sheetToTable(
      SMALL,
      "filas",
      sheet(["canal", "idade", "fila"], ...Array.from({ length: MAX_SHEET_ROWS + 1 }, () => ["chat", "-", "X"])),
    );
    expect(many.ok).toBe(false);
    if (!many.ok) expect(many.problems[0]?.message).toContain(`o limite é ${MAX_SHEET_ROWS}`);
  });

  it("a date cell is `= date` in an input column and the date in an output column", () => {
    const result = sheetToTable(
      SMALL,
      "filas",
      sheet(["canal", "idade", "fila"], ["chat", { date: "2026-04-03" }, { date: "2026-04-03" }]),
    );
    // `idade` is an integer: comparing it with a date is reported on the cell.
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems).toContainEqual(expect.objectContaining({ line: 2, column: 1, columnName: "idade" }));
  });

  it("an error elsewhere in the rule set is reported with its place in the resulting text", () => {
    const broken = SMALL.replace("then: fila = filas.fila", "then: fila = filaz.fila");
    const result = sheetToTable(broken, "filas", exported(SMALL, "filas"));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems[0]?.range).toBeDefined();
      expect(result.problems[0]?.message).toContain("filaz");
    }
  });
});

describe("spreadsheet helpers", () => {
  it("column letters", () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(columnLetter)).toEqual([
      "A",
      "B",
      "Z",
      "AA",
      "AB",
      "AZ",
      "BA",
      "ZZ",
      "AAA",
    ]);
  });

  it("csv delimiter: `;` unless the header line has more commas (outside quotes)", () => {
    expect(csvDelimiter("a;b;c\r\n1,2;3")).toBe(";");
    expect(csvDelimiter("a,b,c\n1;2")).toBe(",");
    expect(csvDelimiter('"a;b",c,d\n')).toBe(",");
    expect(csvDelimiter("uma\n")).toBe(";");
  });

  it("Excel dates: the date alone at midnight, else the wall-clock date-time without offset", () => {
    expect(isoDate(new Date(Date.UTC(2026, 3, 3)))).toBe("2026-04-03");
    expect(isoDate(new Date(Date.UTC(2026, 3, 3, 8, 30)))).toBe("2026-04-03T08:30:00");
    expect(isoDate(new Date(Date.UTC(2026, 3, 3, 8, 30, 0, 250)))).toBe("2026-04-03T08:30:00.250");
  });

  it("row lists: runs as ranges", () => {
    expect(rowList([4])).toBe("linha 4");
    expect(rowList([2, 5, 6, 7, 8, 9, 12])).toBe("linhas 2, 5–9, 12");
  });

  it("sheet names Excel accepts", () => {
    expect(sheetNameFor(TABLE)).toBe(TABLE);
    expect(sheetNameFor("a".repeat(40))).toBe("a".repeat(31));
    expect(sheetNameFor("x/y")).toBe("x_y");
  });

  it("zip expansion is read from the central directory; not a zip → undefined", () => {
    expect(zipExpandedSize(new TextEncoder().encode("não é zip"))).toBeUndefined();
    // One stored entry "a" of 5 bytes: local header, data, central directory, end record.
    const name = [0x61];
    const local = [0x50, 0x4b, 0x03, 0x04, ...Array(22).fill(0), 1, 0, 0, 0, ...name, 1, 2, 3, 4, 5];
    const central = [
      0x50,
      0x4b,
      0x01,
      0x02,
      ...Array(20).fill(0),
      5,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      0,
      0,
      ...Array(12).fill(0),
      ...name,
    ];
    const end = [0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0, central.length, 0, 0, 0, local.length, 0, 0, 0, 0, 0];
    expect(zipExpandedSize(new Uint8Array([...local, ...central, ...end]))).toBe(5);
  });
});

describe("every hit policy, aggregate and labels in sheets", () => {
  const LABELLED = `ruleset: rotulada
description: Tabela com rótulos DMN.
facts:
  idade: { type: integer, required: true }
outputs:
  status: { type: string, nullable: true }
  total: { type: number, nullable: true }
tables:
  - name: aprovacao
    label: "Approval Decision"
    hitPolicy: priority
    inputs: [idade]
    outputs: [status]
    labels: { idade: "Applicant Age", status: "Approval Status" }
    outputValues: { status: [Declined, Approved] } # a ordem é a prioridade
    onNoMatch: { status: Declined }
    rows:
      - [">= 18", Approved]
      - [-, Declined]
  - name: pontos
    hitPolicy: collect
    aggregate: max
    inputs: [idade]
    outputs: [pontos]
    rows:
      - [">= 60", 10]
      - [-, 1]
rules:
  - name: usa
    then:
      - status = aprovacao.status
      - total = pontos.pontos
`;

  it("the sheet carries the policy, the aggregate and the labels; the header keeps the names", () => {
    expect(tableToSheet(LABELLED, "aprovacao")).toEqual({
      table: "aprovacao",
      hitPolicy: "priority",
      label: "Approval Decision",
      columns: [
        { name: "idade", input: true, title: "Applicant Age" },
        { name: "status", input: false, title: "Approval Status" },
      ],
      rows: [
        [">= 18", "Approved"],
        ["-", "Declined"],
      ],
    });
    expect(tableToSheet(LABELLED, "pontos")).toMatchObject({ hitPolicy: "collect", aggregate: "max" });
    for (const policy of ["any", "ruleOrder", "outputOrder"])
      expect(tableToSheet(LABELLED.replace("hitPolicy: priority", `hitPolicy: ${policy}`), "aprovacao")).toMatchObject({
        hitPolicy: policy,
      });
  });

  it("exported and imported unchanged, the text is the same string; a changed row changes only that row", () => {
    for (const table of ["aprovacao", "pontos"]) {
      const same = ok(sheetToTable(LABELLED, table, exported(LABELLED, table)));
      expect(same.text, table).toBe(LABELLED);
    }
    const data = exported(LABELLED, "pontos");
    const changed = ok(sheetToTable(LABELLED, "pontos", sheet([...data.header.cells], [">= 60", "20"], ["-", "1"])));
    expect(changed.text).toBe(LABELLED.replace('[">= 60", 10]', '[">= 60", 20]'));
  });

  it("a sheet row whose output is outside outputValues is refused on its sheet cell", () => {
    const data = exported(LABELLED, "aprovacao");
    const result = sheetToTable(
      LABELLED,
      "aprovacao",
      sheet([...data.header.cells], [">= 18", "Talvez"], ["-", "Declined"]),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContainEqual(
      expect.objectContaining({
        severity: "error",
        line: 2,
        column: 1,
        columnName: "status",
        message: expect.stringMatching(
          /^o valor "Talvez" não está em outputValues da saída "status" \("Approval Status"\)/,
        ),
      }),
    );
  });
});
