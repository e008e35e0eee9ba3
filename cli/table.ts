/**
 * `rules table export|import`: a decision table to and from a spreadsheet (xlsx through exceljs, or
 * csv). The table ⇄ rows logic is `dsl/tables/sheet.ts` (pure); this module reads and writes the
 * files, converts spreadsheet cells to texts and prints the diagnostics on their sheet cells
 * (`planilha.xlsx: aba "x", linha 5, coluna C (servico): mensagem`).
 *
 * Files come from analysts' machines: the sheet is bounded in bytes (MAX_SHEET_BYTES), an xlsx also
 * in the bytes its zip would expand to (read from the zip's central directory before exceljs opens
 * it), and the rows and columns are bounded by `dsl/tables/sheet.ts`. Nothing is written unless the
 * whole import is free of errors; files are written through a temporary file and a rename.
 *
 * CSV: written in UTF-8 with a byte-order mark, `;` between fields and CRLF line ends, which is what
 * Excel in Portuguese (Brazil) opens correctly by double-click (its list separator is `;`, since `,`
 * is the decimal separator). Read: `;` or `,` (whichever the header line has more of, outside
 * quotes), UTF-8 (BOM or not) or, when the bytes are not valid UTF-8, Windows-1252 (Excel's
 * "CSV (separado por vírgulas)" on Windows), with a warning.
 */
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { extname } from "node:path";
import { Readable } from "node:stream";
import ExcelJS from "exceljs";
import { createLineIndex, locateRange } from "../dsl/positions.js";
import {
  columnLetter,
  MAX_SHEET_COLUMNS,
  MAX_SHEET_ROWS,
  type SheetData,
  type SheetProblem,
  type SheetRow,
  type SheetValue,
  sheetToTable,
  type TableSheet,
  tableToSheet,
} from "../dsl/tables/sheet.js";
import { COMMAND_HELP } from "./help.js";
import {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  guard,
  InputError,
  parseCommandLine,
  plural,
  readFileBytes,
  readTextFile,
  resolvePath,
  UsageError,
  writeFileAtomically,
  type CliContext,
} from "./io.js";

/** Largest spreadsheet file read (bytes). */
export const MAX_SHEET_BYTES = 20 * 1024 * 1024;
/** Largest total an xlsx may expand to (bytes of its zip entries, uncompressed). */
export const MAX_XLSX_EXPANDED_BYTES = 200 * 1024 * 1024;

type Format = "xlsx" | "csv";

export function table(ctx: CliContext): Promise<number> {
  return guard(ctx, async () => {
    const [sub, ...rest] = ctx.argv;
    if (sub === undefined || sub === "--help" || sub === "-h") {
      (sub === undefined ? ctx.stderr : ctx.stdout).write(COMMAND_HELP.table ?? "");
      return sub === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (sub === "export") return exportCommand({ ...ctx, argv: rest });
    if (sub === "import") return importCommand({ ...ctx, argv: rest });
    throw new UsageError(`subcomando desconhecido "${sub}" (use: rules table export ou rules table import)`, "table");
  });
}

// ---------------------------------------------------------------- export

async function exportCommand(ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandLine("table", ctx.argv, {
    xlsx: { type: "boolean" },
    csv: { type: "boolean" },
    out: { type: "string", short: "o" },
    force: { type: "boolean" },
  });
  if (values.help) {
    ctx.stdout.write(COMMAND_HELP.table ?? "");
    return EXIT_OK;
  }
  const [file, name, extra] = positionals;
  if (file === undefined || name === undefined)
    throw new UsageError(
      "informe o arquivo de regras e o nome da tabela: rules table export <regras.yaml> <tabela> --xlsx|--csv",
      "table",
    );
  if (extra !== undefined) throw new UsageError(`argumento inesperado "${extra}"`, "table");
  if (values.xlsx && values.csv) throw new UsageError("use --xlsx ou --csv, não os dois juntos", "table");
  const out = typeof values.out === "string" ? values.out : undefined;
  const format: Format | undefined = values.xlsx ? "xlsx" : values.csv ? "csv" : out ? formatOf(out) : undefined;
  if (!format) throw new UsageError("informe o formato da planilha: --xlsx ou --csv", "table");
  const source = readTextFile(ctx, file);
  const sheet = tableToSheet(source, name);
  if ("error" in sheet) throw new InputError(`${file}: ${sheet.error}`);
  const target = out ?? `${name}.${format}`;
  const path = resolvePath(ctx, target);
  if (existsSync(path) && !values.force)
    throw new InputError(`${target} já existe; use --force para substituí-lo ou --out para outro arquivo`);
  const bytes = format === "xlsx" ? await writeXlsx(sheet) : await writeCsv(sheet);
  writeFileAtomically(path, bytes);
  ctx.stderr.write(
    `exportado: ${target} (tabela ${sheet.table}, ${plural(sheet.rows.length, "linha", "linhas")}, ${plural(sheet.columns.length, "coluna", "colunas")})\n`,
  );
  return EXIT_OK;
}

function formatOf(path: string): Format | undefined {
  const ext = extname(path).toLowerCase();
  return ext === ".xlsx" ? "xlsx" : ext === ".csv" ? "csv" : undefined;
}

/** A worksheet name Excel accepts (≤ 31 characters, none of `[]:*?/\`). */
export function sheetNameFor(table: string): string {
  return table.replace(/[[\]:*?/\\]/g, "_").slice(0, 31) || "tabela";
}

/** An exact number cell for a text that reads back as the same text; else undefined. */
function exactNumber(text: string): number | undefined {
  if (!/^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) && String(n) === text ? n : undefined;
}

async function writeXlsx(sheet: TableSheet): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "rules";
  const ws = workbook.addWorksheet(sheetNameFor(sheet.table), { views: [{ state: "frozen", ySplit: 1 }] });
  // Text format on every column, so that what the analyst types stays text (`= x`, `2026-04-03`, `10%`).
  ws.columns = sheet.columns.map((c, i) => {
    const longest = Math.max(c.name.length, ...sheet.rows.map((r) => longestLine(r[i] ?? "")));
    return { header: c.name, key: `c${i}`, width: Math.min(60, Math.max(10, longest + 2)), style: { numFmt: "@" } };
  });
  const header = ws.getRow(1);
  header.font = { bold: true };
  sheet.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    const role = c.input
      ? 'Entrada: teste de célula (- ou vazio = qualquer valor; >= 18, [1..5], "texto", [a, b]).'
      : "Saída: valor (vazio = null; = expressão).";
    const lines = [
      role,
      ...(c.label !== undefined ? [`Expressão: ${c.label}`] : []),
      ...(c.title ? [`Rótulo: ${c.title}`] : []),
    ];
    if (i === 0)
      lines.unshift(
        `Tabela ${sheet.table}${sheet.label ? ` ("${sheet.label}")` : ""} (hitPolicy: ${sheet.hitPolicy}${sheet.aggregate ? `, aggregate: ${sheet.aggregate}` : ""})${sheet.description ? `: ${sheet.description}` : ""}`,
        "Edite as linhas; o cabeçalho (linha 1) nomeia as colunas e não muda. Importe com: rules table import.",
      );
    cell.note = lines.join("\n");
  });
  for (const row of sheet.rows) {
    const added = ws.addRow(
      row.map((text) => {
        const n = exactNumber(text);
        if (n !== undefined) return n;
        if (text === "true" || text === "false") return text === "true";
        return text;
      }),
    );
    added.eachCell((cell) => {
      if (typeof cell.value === "number" || typeof cell.value === "boolean") cell.numFmt = "General";
    });
  }
  const buffer = await workbook.xlsx.writeBuffer();
  return new Uint8Array(buffer as ArrayBuffer);
}

function longestLine(text: string): number {
  return Math.max(0, ...text.split("\n").map((l) => l.length));
}

async function writeCsv(sheet: TableSheet): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  const ws = workbook.addWorksheet(sheetNameFor(sheet.table));
  ws.addRow(sheet.columns.map((c) => c.name));
  for (const row of sheet.rows) ws.addRow([...row]);
  const buffer = await workbook.csv.writeBuffer({
    formatterOptions: { delimiter: ";", rowDelimiter: "\r\n", writeBOM: true, quote: '"', escape: '"' },
    // Every value is a text: written as it is (no date or number conversion).
    map: (value: unknown) => (value === null || value === undefined ? "" : String(value)),
  } as Partial<ExcelJS.CsvWriteOptions>);
  let bytes: Uint8Array = new Uint8Array(buffer as ArrayBuffer);
  // The last row ends with a line break, as spreadsheet programs write it.
  if (bytes[bytes.length - 1] !== 0x0a) bytes = concat(bytes, new TextEncoder().encode("\r\n"));
  return bytes;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

// ---------------------------------------------------------------- import

async function importCommand(ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandLine("table", ctx.argv, {
    sheet: { type: "string" },
    "dry-run": { type: "boolean" },
  });
  if (values.help) {
    ctx.stdout.write(COMMAND_HELP.table ?? "");
    return EXIT_OK;
  }
  const [file, name, sheetFile, extra] = positionals;
  if (file === undefined || name === undefined || sheetFile === undefined)
    throw new UsageError(
      "informe o arquivo de regras, o nome da tabela e a planilha: rules table import <regras.yaml> <tabela> <planilha.xlsx|.csv>",
      "table",
    );
  if (extra !== undefined) throw new UsageError(`argumento inesperado "${extra}"`, "table");
  const format = formatOf(sheetFile);
  if (!format) throw new InputError(`${sheetFile}: a planilha deve ser um arquivo .xlsx ou .csv`);
  const requested = typeof values.sheet === "string" ? values.sheet : undefined;
  if (requested !== undefined && format === "csv")
    throw new UsageError("--sheet vale só para planilhas .xlsx (um .csv tem uma aba só)", "table");

  const rulesPath = resolvePath(ctx, file);
  const source = readTextFile(ctx, file);
  const bom = hasBom(rulesPath);
  const bytes = readSheetFile(ctx, sheetFile);
  const warnings: string[] = [];
  const { data, sheetName } =
    format === "xlsx" ? await readXlsx(sheetFile, bytes, name, requested) : await readCsv(bytes, warnings);
  for (const w of warnings) ctx.stderr.write(`aviso: ${sheetFile}: ${w}\n`);

  const result = sheetToTable(source, name, data);
  if (!result.ok) {
    for (const p of result.problems)
      ctx.stderr.write(`${locate(sheetFile, sheetName, p, file, result.text ?? source)}\n`);
    const errors = result.problems.filter((p) => p.severity === "error").length;
    ctx.stderr.write(`${plural(errors, "erro", "erros")}; ${file} não foi alterado.\n`);
    return EXIT_FAILURE;
  }
  for (const w of result.warnings) ctx.stderr.write(`aviso: ${locate(sheetFile, sheetName, w, file, result.text)}\n`);
  const s = result.summary;
  ctx.stdout.write(
    `tabela ${name}: ${plural(s.changed, "linha alterada", "linhas alteradas")}, ${plural(s.added, "adicionada", "adicionadas")}, ${plural(s.removed, "removida", "removidas")}, ${plural(s.unchanged, "igual", "iguais")}.\n`,
  );
  if (s.changedLines.length > 0)
    ctx.stdout.write(`  alteradas ou adicionadas: ${rowList(s.changedLines)} da planilha\n`);
  if (s.removedRows.length > 0) ctx.stdout.write(`  removidas: ${rowList(s.removedRows)} da tabela\n`);
  if (result.text === source) {
    ctx.stderr.write(`nenhuma mudança: ${file} não foi alterado.\n`);
    return EXIT_OK;
  }
  if (values["dry-run"]) {
    ctx.stderr.write(`--dry-run: ${file} não foi alterado.\n`);
    return EXIT_OK;
  }
  writeFileAtomically(rulesPath, new TextEncoder().encode((bom ? "\uFEFF" : "") + result.text));
  ctx.stderr.write(`gravado: ${file}\n`);
  return EXIT_OK;
}

/** `linha 4`, `linhas 2, 5–9, 12` (runs of consecutive rows as ranges; at most 20 items shown). */
export function rowList(lines: readonly number[]): string {
  const runs: string[] = [];
  let i = 0;
  while (i < lines.length) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === (lines[j] as number) + 1) j++;
    runs.push(j > i ? `${lines[i]}–${lines[j]}` : `${lines[i]}`);
    i = j + 1;
  }
  const shown = runs.slice(0, 20).join(", ");
  const more = runs.length > 20 ? ` e mais ${runs.length - 20} trechos` : "";
  return `${lines.length === 1 ? "linha" : "linhas"} ${shown}${more}`;
}

/** `planilha.xlsx: aba "x", linha 5, coluna C (servico): mensagem` (or the rule file's line:column). */
function locate(sheetFile: string, sheetName: string | undefined, p: SheetProblem, file: string, text: string): string {
  if (p.range) {
    const at = locateRange(createLineIndex(text), p.range);
    return `${file}:${at.line}:${at.column} (no texto resultante): ${p.message}`;
  }
  const parts: string[] = [];
  if (sheetName !== undefined) parts.push(`aba "${sheetName}"`);
  if (p.line !== undefined) parts.push(`linha ${p.line}`);
  if (p.column !== undefined)
    parts.push(`coluna ${columnLetter(p.column)}${p.columnName !== undefined ? ` (${p.columnName})` : ""}`);
  return `${sheetFile}${parts.length > 0 ? `: ${parts.join(", ")}` : ""}: ${p.message.replace(/\s*(?:\r\n|\r|\n)\s*/g, " ")}`;
}

function hasBom(path: string): boolean {
  try {
    const fd = openSync(path, "r");
    try {
      const head = Buffer.alloc(3);
      const n = readSync(fd, head, 0, 3, 0);
      return n === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

function readSheetFile(ctx: CliContext, file: string): Uint8Array {
  const bytes = readFileBytes(
    ctx,
    file,
    {
      notFound: "planilha não encontrada",
      denied: undefined,
      unreadable: "não foi possível ler a planilha",
      notADirectory: "uma planilha",
    },
    {
      maxBytes: MAX_SHEET_BYTES,
      message: (name, size) =>
        `${name} tem ${size} bytes e o limite é ${MAX_SHEET_BYTES} (20 MB); exporte só a tabela para uma planilha própria`,
    },
  );
  return new Uint8Array(bytes);
}

async function readXlsx(
  file: string,
  bytes: Uint8Array,
  table: string,
  requested: string | undefined,
): Promise<{ data: SheetData; sheetName: string }> {
  const expanded = zipExpandedSize(bytes);
  if (expanded === undefined) throw new InputError(`${file} não é uma planilha .xlsx válida (não é um arquivo zip)`);
  if (expanded > MAX_XLSX_EXPANDED_BYTES)
    throw new InputError(
      `${file} se expande para ${expanded} bytes e o limite é ${MAX_XLSX_EXPANDED_BYTES}; exporte só a tabela para uma planilha própria`,
    );
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as never);
  } catch (e) {
    throw new InputError(
      `${file} não pôde ser lida como planilha .xlsx: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const sheets = workbook.worksheets;
  const names = sheets.map((s) => s.name);
  let ws: ExcelJS.Worksheet | undefined;
  if (requested !== undefined) {
    ws = sheets.find((s) => s.name === requested);
    if (!ws) throw new InputError(`${file} não tem a aba "${requested}". Abas: ${names.join(", ")}`);
  } else {
    ws = sheets.find((s) => s.name === sheetNameFor(table)) ?? (sheets.length === 1 ? sheets[0] : undefined);
    if (!ws)
      throw new InputError(
        `${file} não tem a aba "${sheetNameFor(table)}"; escolha a aba com --sheet. Abas: ${names.join(", ") || "(nenhuma)"}`,
      );
  }
  if (ws.actualRowCount > MAX_SHEET_ROWS + 1)
    throw new InputError(
      `${file}: a aba "${ws.name}" tem ${ws.actualRowCount} linhas preenchidas e o limite é ${MAX_SHEET_ROWS} mais o cabeçalho`,
    );
  const rows: SheetRow[] = [];
  let header: SheetRow = { line: 1, cells: [] };
  let problem: string | undefined;
  ws.eachRow({ includeEmpty: false }, (row, line) => {
    if (problem) return;
    const width = row.cellCount;
    if (width > MAX_SHEET_COLUMNS) {
      problem = `a linha ${line} da aba "${ws.name}" vai até a coluna ${columnLetter(width - 1)} e o limite é ${MAX_SHEET_COLUMNS} colunas`;
      return;
    }
    const cells: SheetValue[] = [];
    for (let c = 1; c <= width; c++) cells.push(xlsxCellText(row.getCell(c)));
    if (line === 1) header = { line, cells };
    else rows.push({ line, cells });
  });
  if (problem) throw new InputError(`${file}: ${problem}`);
  return { data: { header, rows }, sheetName: ws.name };
}

/** The text of an xlsx cell as the table reads it, or why it cannot be read. */
export function xlsxCellText(cell: ExcelJS.Cell): SheetValue {
  const v = cell.value as unknown;
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return { error: "número inválido na célula" };
    return String(v);
  }
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? { error: "data inválida na célula" } : { date: isoDate(v) };
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return o.richText.map((r: { text?: unknown }) => String(r.text ?? "")).join("");
    if ("formula" in o || "sharedFormula" in o)
      return {
        error:
          "a célula tem uma fórmula do Excel; escreva o texto da célula (para uma expressão da regra que começa com =, digite um apóstrofo antes: '= ...)",
      };
    if ("error" in o) return { error: `a célula tem o erro do Excel ${String(o.error)}` };
    if (typeof o.text === "string") return o.text; // hyperlink
  }
  return { error: "valor de célula não reconhecido" };
}

/**
 * An Excel date (no zone: exceljs gives its wall clock as UTC) as the language writes it: the date
 * (`2026-04-03`) or, with a time of day, the local date-time without offset (`2026-04-03T08:30:00`),
 * which the rule set reads in its `timezone`.
 */
export function isoDate(d: Date): string {
  const iso = d.toISOString();
  const date = iso.slice(0, 10);
  if (d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0 && d.getUTCMilliseconds() === 0)
    return date;
  return d.getUTCMilliseconds() === 0 ? iso.slice(0, 19) : iso.slice(0, 23);
}

async function readCsv(bytes: Uint8Array, warnings: string[]): Promise<{ data: SheetData; sheetName: undefined }> {
  let text: string;
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    text = new TextDecoder("windows-1252").decode(body);
    warnings.push('o arquivo não está em UTF-8; lido como Windows-1252 (salve como "CSV UTF-8" para evitar)');
  }
  const delimiter = csvDelimiter(text);
  const workbook = new ExcelJS.Workbook();
  let ws: ExcelJS.Worksheet;
  try {
    ws = await workbook.csv.read(Readable.from([text]), {
      // Every field is a text: no number or date guessing.
      map: (value: unknown) => value,
      parserOptions: { delimiter, quote: '"', escape: '"' },
    } as Partial<ExcelJS.CsvReadOptions>);
  } catch (e) {
    throw new InputError(`o CSV não pôde ser lido: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (ws.rowCount > MAX_SHEET_ROWS + 1)
    throw new InputError(`o CSV tem ${ws.rowCount} linhas e o limite é ${MAX_SHEET_ROWS} mais o cabeçalho`);
  let header: SheetRow = { line: 1, cells: [] };
  const rows: SheetRow[] = [];
  for (let line = 1; line <= ws.rowCount; line++) {
    const row = ws.getRow(line);
    const width = Math.min(row.cellCount, MAX_SHEET_COLUMNS + 1);
    const cells: SheetValue[] = [];
    for (let c = 1; c <= width; c++) {
      const v = row.getCell(c).value;
      cells.push(v === null || v === undefined ? "" : String(v));
    }
    if (line === 1) header = { line, cells };
    else rows.push({ line, cells });
  }
  return { data: { header, rows }, sheetName: undefined };
}

/** `;` or `,`: whichever the first line has more of outside quotes (`;` on a tie). */
export function csvDelimiter(text: string): ";" | "," {
  let semicolons = 0;
  let commas = 0;
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) break;
    else if (!quoted && ch === ";") semicolons++;
    else if (!quoted && ch === ",") commas++;
  }
  return commas > semicolons ? "," : ";";
}

/**
 * Total uncompressed size of a zip's entries, from its central directory (undefined when the bytes
 * are not a zip; Infinity for a zip64 archive, which a table's sheet never needs).
 */
export function zipExpandedSize(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const min = Math.max(0, bytes.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= min; i--)
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) return undefined;
  const entries = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (entries === 0xffff || cdOffset === 0xffffffff) return Number.POSITIVE_INFINITY;
  if (cdOffset + cdSize > bytes.length) return undefined;
  let total = 0;
  let at = cdOffset;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) return undefined;
    const size = view.getUint32(at + 24, true);
    if (size === 0xffffffff) return Number.POSITIVE_INFINITY;
    total += size;
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return total;
}
