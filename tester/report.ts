/**
 * Reports of test-suite runs: a readable text report for people (pass/fail per case, a diff of
 * expected vs actual for failures, coverage with what is missing) and JUnit XML for CI systems.
 */
import type { CaseResult, CoverageGroup, SuiteResult } from "./run.js";

export interface ReportedSuite {
  /** Path of the suite file, for `arquivo:linha:coluna` references. */
  readonly file: string;
  readonly result: SuiteResult;
  /** Path of the rule set, for what coverage finds missing (default: the suite's path without `.test`). */
  readonly rulesFile?: string;
}

function show(v: unknown): string {
  if (v === undefined) return "(ausente)";
  return JSON.stringify(v);
}

function coverageLine(label: string, g: CoverageGroup): string {
  return `  ${label}: ${g.covered}/${g.total}`;
}

/** The text report. `color` adds ANSI colours for terminals. */
export function textReport(
  suites: readonly ReportedSuite[],
  options: { color?: boolean; verbose?: boolean } = {},
): string {
  const c = (code: string, s: string) => (options.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const lines: string[] = [];
  let passed = 0;
  let failed = 0;
  for (const { file, result, rulesFile } of suites) {
    lines.push(c("1", `${result.ruleset} (${file})`));
    for (const k of result.cases) {
      if (k.passed) {
        passed++;
        if (options.verbose !== false) lines.push(`  ${c("32", "✓")} ${k.name}`);
        continue;
      }
      failed++;
      lines.push(`  ${c("31", "✗")} ${k.name}  ${c("2", `${file}:${k.line}:${k.column}`)}`);
      lines.push(...caseDiff(k).map((l) => `      ${l}`));
    }
    const cov = result.coverage;
    lines.push(`  cobertura ${cov.percent}%`);
    lines.push(
      coverageLine("regras", cov.rules),
      coverageLine("linhas de tabela", cov.rows),
      coverageLine("transições", cov.transitions),
    );
    for (const m of [...cov.rules.missing, ...cov.rows.missing, ...cov.transitions.missing]) {
      lines.push(
        `    ${c("33", "não exercitado")}: ${m.name}  ${c("2", `${rulesFile ?? file.replace(/\.test\.yaml$/, ".yaml")}:${m.line}:${m.column}`)}`,
      );
    }
    lines.push("");
  }
  lines.push(`${passed} passed, ${failed} failed`);
  return lines.join("\n");
}

function caseDiff(k: CaseResult): string[] {
  return k.differences.map(
    (d) =>
      `${d.path || "(decisão)"}: ${d.message}\n        esperado: ${show(d.expected)}\n        obtido:   ${show(d.actual)}`,
  );
}

/**
 * One line per difference naming the field: `decision.acao: esperado "DESIGNAR", obtido
 * "REVISAR_SERVICO"`. Paths of the decision are prefixed with `decision.`; those of an error case
 * (`error.code`, `error.details`) and of `fired` are written as they are.
 */
export function failureLines(k: CaseResult): string[] {
  const decided = typeof k.actual === "object" && k.actual !== null && "decision" in k.actual;
  return k.differences.map((d) => {
    if (d.path === "") return d.message;
    const isFired =
      d.path === "fired" &&
      typeof d.expected === "string" &&
      d.message.startsWith(`a regra "${d.expected}" não disparou`);
    if (isFired) return `fired: ${d.message}`;
    const field = decided ? `decision.${d.path}` : d.path;
    return `${field}: esperado ${show(d.expected)}, obtido ${show(d.actual)}`;
  });
}

function xml(s: string): string {
  return (
    s
      .replace(
        /[<>&"']/g,
        (ch) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[ch] as string,
      )
      // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters; they are removed on purpose.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
  );
}

/** JUnit XML (one testsuite per rule set, one testcase per case). */
export function junitReport(suites: readonly ReportedSuite[]): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = suites.reduce((n, s) => n + s.result.cases.length, 0);
  const failures = suites.reduce((n, s) => n + s.result.failed, 0);
  out.push(`<testsuites name="rules" tests="${total}" failures="${failures}">`);
  for (const { file, result } of suites) {
    const time = result.cases.reduce((t, k) => t + k.durationMs, 0) / 1000;
    out.push(
      `  <testsuite name="${xml(result.ruleset)}" file="${xml(file)}" tests="${result.cases.length}" failures="${result.failed}" time="${time.toFixed(3)}">`,
    );
    out.push(`    <properties><property name="coverage" value="${result.coverage.percent}"/></properties>`);
    for (const k of result.cases) {
      const open = `    <testcase classname="${xml(result.ruleset)}" name="${xml(k.name)}" file="${xml(file)}" line="${k.line}" time="${(k.durationMs / 1000).toFixed(3)}"`;
      if (k.passed) out.push(`${open}/>`);
      else {
        out.push(`${open}>`);
        out.push(
          `      <failure message="${xml(failureLines(k).join("; ") || "falhou")}">${xml(caseDiff(k).join("\n"))}</failure>`,
        );
        out.push("    </testcase>");
      }
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}
