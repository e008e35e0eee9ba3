/**
 * DMN interchange — the contract between the importer, the exporter, the TCK test runner and the
 * command line (`rules dmn import|export|test`). See docs/dmn.md for the subset and the name
 * mapping. Nothing here is loaded by the service's decide path or the editor bundle.
 */

/** A problem with a DMN file or with a table that cannot travel to DMN. Messages are Portuguese. */
export interface DmnDiagnostic {
  readonly severity: "error" | "warning" | "info";
  readonly message: string;
  /**
   * The element it is about, from the decision down, as the analyst finds it in a DMN tool:
   * `decisão "Approval" › tabela › regra 3 › entrada 2 (Age)`; for an export, the table, row and
   * column in the rule set: `tabela faixaDeRisco › linha 4 › coluna idade`.
   */
  readonly element: string;
  /** Where in the file (the DMN file on import; the YAML file on export), 1-based, when known. */
  readonly line?: number;
  readonly column?: number;
}

/** One rule set made from one decision table of a DMN file. */
export interface ImportedRuleSet {
  /** The rule set's name (lower-case, digits and `-`, see RULESET_NAME_PATTERN). */
  readonly name: string;
  /** The DMN decision's name as written in the file. */
  readonly decision: string;
  /** The decision table's name in the rule set (an identifier, see docs/dmn.md). */
  readonly table: string;
  /** The rule-set text (YAML), formatted; it loads and checks without errors. */
  readonly yaml: string;
}

export interface DmnImportResult {
  /** One per decision table imported (decisions outside the subset are left out and reported). */
  readonly ruleSets: readonly ImportedRuleSet[];
  readonly diagnostics: readonly DmnDiagnostic[];
  /** The DMN version read from the namespace ("1.3", "1.4", "1.5"; older ones are read too). */
  readonly dmnVersion?: string;
}

export interface DmnImportOptions {
  /** The file's name, used in messages and in the rule sets' descriptions. */
  readonly fileName?: string;
}

export interface DmnExportResult {
  /** DMN 1.5 XML; undefined when no table could be exported. */
  readonly xml?: string;
  /** The tables written, by name. */
  readonly exported: readonly string[];
  /** Tables, rows and cells outside the subset (each names its table, row and column). */
  readonly diagnostics: readonly DmnDiagnostic[];
}

export interface DmnExportOptions {
  /** Only this table (default: every table of the rule set). */
  readonly table?: string;
  /** The rule set's file name, for messages. */
  readonly fileName?: string;
}
