/**
 * The soak's synthetic rule set, `soak-marker`: a small rule set whose decision carries the marker
 * of the source it was published with (`marca`). The soak publishes a new marker every few seconds
 * and rolls back to older versions; knowing which marker each version carries, every decision can
 * be checked against the version its response names (an incoherent version is one whose marker
 * does not match). Synthetic data only.
 */

export const MARKER_RULESET = "soak-marker";

/** The rule-set source carrying marker `marca`. */
export function markerSource(marca: number): string {
  return `ruleset: ${MARKER_RULESET}
description: Conjunto sintético do soak (marca ${marca}); a decisão carrega a marca da versão publicada.
facts:
  valor: { type: integer, required: true }
outputs:
  marca: { type: integer }
  faixa: { type: string, nullable: true }
rules:
  - name: faixa alta
    when: valor >= 100
    then: faixa = "ALTA"
  - name: marcar versão
    then: marca = ${marca}
`;
}

/** Its suite, expecting marker `marca` (a version's own suite, published with it). */
export function markerSuite(marca: number): string {
  return `suite: ${MARKER_RULESET}
cases:
  - name: marca da versão
    facts: { valor: 1 }
    expect: { marca: ${marca}, faixa: null }
  - name: faixa alta
    facts: { valor: 150 }
    expect: { marca: ${marca}, faixa: ALTA }
`;
}

/** What a marker decision must be for `valor` under marker `marca`. */
export function markerDecision(marca: number, valor: number): { marca: number; faixa: string | null } {
  return { marca, faixa: valor >= 100 ? "ALTA" : null };
}
