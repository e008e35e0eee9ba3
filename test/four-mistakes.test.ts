/**
 * The four mistakes issue 11 opens with — each passed `rules check` with "Nenhum problema" when a
 * new rule set was written as an analyst would. Now each is reported where it is written, with an
 * example in the rule set's own terms: a `unique` table with a gap, a `first` table whose catch-all
 * row comes first, a table output named like a decision output that no rule fills (and outputs
 * nothing sets), a rule that reads `decision.x` before the lower-priority rule that sets it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileSource } from "../dsl/compile/pipeline.js";
import { runRules } from "./helpers/cli.js";

const SOURCE = `ruleset: designacao-nova
description: Designação escrita por um analista, com os quatro enganos que passavam sem aviso.
facts:
  tipoCliente: { type: string, enum: [Beneficiário, Credenciado], required: true }
  servico: { type: string, enum: [Reembolso, Autorização Prévia], required: true }
  urgente: { type: boolean, default: false }
outputs:
  designacao: { type: string, enum: [GIPES, CEPES], nullable: true }
  prioridade: { type: string, nullable: true }
  prazo: { type: string, nullable: true }
  revisar: { type: boolean, default: false }
tables:
  - name: porServico
    hitPolicy: unique
    inputs: [tipoCliente, servico]
    outputs: [area]
    rows:
      - [Beneficiário, Reembolso, GIPES]
      - [Beneficiário, Autorização Prévia, CEPES]
      - [Credenciado, Autorização Prévia, GIPES]
  - name: porUrgencia
    hitPolicy: first
    inputs: [urgente]
    outputs: [prioridade]
    rows:
      - [-, NORMAL]
      - [true, ALTA]
rules:
  - name: revisar o que vai para a GIPES
    priority: 10
    when: decision.designacao == "GIPES"
    then: revisar = true
  - name: designar
    priority: 5
    then: designacao = porServico.area
`;

const dir = mkdtempSync(join(tmpdir(), "quatro-enganos-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the four mistakes that used to pass rules check", { timeout: 60_000 }, () => {
  it("are each reported with position and example, and the rule set cannot be published", async () => {
    writeFileSync(join(dir, "nova.yaml"), SOURCE);
    const r = await runRules(["check", "nova.yaml"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("2 erros e 4 avisos em 1 arquivo.");
    const lines = r.stdout.trimEnd().split("\n");
    // 1. A unique table with a gap: the missing input, in the table's terms, at the table's name.
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^nova\.yaml:13:11: error table\/gap tipoCliente = Credenciado, servico = Reembolso: nenhuma linha da tabela "porServico" \(política unique\) se aplica/,
      ),
    );
    // 2. A first table whose catch-all row comes first: the later row, naming the row that takes it.
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^nova\.yaml:27:9: error table\/shadowed-row a linha 2 da tabela "porUrgencia" \(política first\) nunca é escolhida: a linha 1 vem antes e se aplica a todas as entradas dela \(p\.ex\. urgente = true\)/,
      ),
    );
    expect(lines).toContain("  nova.yaml:26:9: nota: linha 1");
    // 3. A table output named like a decision output that nothing fills, and outputs nothing sets.
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^nova\.yaml:24:15: warning flow\/table-output-name a coluna "prioridade" da tabela "porUrgencia" tem o nome de uma saída, mas nenhuma regra a copia/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^nova\.yaml:9:3: warning flow\/unset-output a saída "prioridade" nunca é preenchida/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^nova\.yaml:10:3: warning flow\/unset-output a saída "prazo" nunca é preenchida/),
    );
    // 4. A rule that reads decision.x before the lower-priority rule that sets it.
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^nova\.yaml:31:11: warning flow\/read-before-set a regra "revisar o que vai para a GIPES" \(prioridade 10\) lê decision\.designacao, mas "designacao" só é preenchida depois, por "designar" \(prioridade 5\)/,
      ),
    );
    expect(compileSource(SOURCE).ok).toBe(false);
  });

  it("are all gone once the analyst mends them", async () => {
    const mended = SOURCE.replace(
      "      - [Credenciado, Autorização Prévia, GIPES]\n",
      "      - [Credenciado, Autorização Prévia, GIPES]\n      - [Credenciado, Reembolso, CEPES]\n",
    )
      .replace("      - [-, NORMAL]\n      - [true, ALTA]\n", "      - [true, ALTA]\n      - [-, NORMAL]\n")
      .replace("  prazo: { type: string, nullable: true }\n", "")
      .replace("    priority: 10\n", "    priority: 1\n")
      .replace(
        "    then: designacao = porServico.area\n",
        "    then:\n      - designacao = porServico.area\n      - prioridade = porUrgencia.prioridade\n",
      );
    writeFileSync(join(dir, "corrigida.yaml"), mended);
    const r = await runRules(["check", "corrigida.yaml"], dir);
    expect(r).toEqual({ code: 0, stdout: "", stderr: "Nenhum problema em 1 arquivo.\n" });
  });
});
