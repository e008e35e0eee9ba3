import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cnpjCheckDigits, cpfCheckDigits, isValidCnpj, isValidCpf, onlyDigits } from "./documents.js";

// Synthetic numbers only: check digits are computed here, independently of the module under test
// (straight from the Receita Federal definitions), from made-up bases.

function mod11Digit(digits: readonly number[], weights: readonly number[]): number {
  const sum = digits.reduce((acc, dgt, i) => acc + dgt * (weights[i] as number), 0);
  const r = sum % 11;
  return r < 2 ? 0 : 11 - r;
}

function syntheticCpf(base9: string): string {
  const b = [...base9].map(Number);
  const d1 = mod11Digit(b, [10, 9, 8, 7, 6, 5, 4, 3, 2]);
  const d2 = mod11Digit([...b, d1], [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
  return `${base9}${d1}${d2}`;
}

function syntheticCnpj(base12: string): string {
  const b = [...base12].map(Number);
  const d1 = mod11Digit(b, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  const d2 = mod11Digit([...b, d1], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  return `${base12}${d1}${d2}`;
}

const formatCpf = (s: string): string => `${s.slice(0, 3)}.${s.slice(3, 6)}.${s.slice(6, 9)}-${s.slice(9)}`;
const formatCnpj = (s: string): string =>
  `${s.slice(0, 2)}.${s.slice(2, 5)}.${s.slice(5, 8)}/${s.slice(8, 12)}-${s.slice(12)}`;

/** Changes the last digit (a wrong check digit). */
const breakLast = (s: string): string => s.slice(0, -1) + String((Number(s.slice(-1)) + 1) % 10);

const CPF = syntheticCpf("123456789"); // 12345678909
const CNPJ = syntheticCnpj("112223330001"); // 11222333000181

describe("onlyDigits", () => {
  it("keeps ASCII digits only", () => {
    expect(onlyDigits("(11) 98765-4321")).toBe("11987654321");
    expect(onlyDigits("12.345.678/0001-95")).toBe("12345678000195");
    expect(onlyDigits("abc")).toBe("");
    expect(onlyDigits("")).toBe("");
    expect(onlyDigits("١٢٣ 4")).toBe("4"); // non-ASCII digits are not digits here
  });
});

describe("isValidCpf", () => {
  it("accepts digits-only and formatted CPFs", () => {
    expect(CPF).toBe("12345678909");
    expect(isValidCpf(CPF)).toBe(true);
    expect(isValidCpf(formatCpf(CPF))).toBe(true);
    expect(isValidCpf(`  ${formatCpf(CPF)} `)).toBe(true);
  });

  it("rejects wrong check digits", () => {
    expect(isValidCpf(breakLast(CPF))).toBe(false);
    expect(isValidCpf(formatCpf(breakLast(CPF)))).toBe(false);
    expect(isValidCpf("12345678919")).toBe(false); // first check digit wrong
  });

  it("rejects wrong lengths and shapes", () => {
    expect(isValidCpf(CPF.slice(1))).toBe(false);
    expect(isValidCpf(`0${CPF}`)).toBe(false);
    expect(isValidCpf("")).toBe(false);
    expect(isValidCpf("123.456.78909")).toBe(false); // partially formatted
    expect(isValidCpf("123-456-789.09")).toBe(false);
    expect(isValidCpf("1234567890a")).toBe(false);
  });

  it("rejects numbers made of one repeated digit", () => {
    for (let k = 0; k <= 9; k++) {
      const s = String(k).repeat(11);
      expect(isValidCpf(s)).toBe(false);
      expect(isValidCpf(formatCpf(s))).toBe(false);
    }
  });

  it("accepts every synthetic CPF and rejects it with a changed check digit", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{9}$/), (base) => {
        const cpf = syntheticCpf(base);
        fc.pre(!/^(\d)\1*$/.test(cpf));
        expect(isValidCpf(cpf)).toBe(true);
        expect(isValidCpf(formatCpf(cpf))).toBe(true);
        expect(isValidCpf(breakLast(cpf))).toBe(false);
        expect(cpfCheckDigits(base)).toBe(cpf.slice(9));
      }),
    );
  });
});

describe("isValidCnpj", () => {
  it("accepts digits-only and formatted CNPJs", () => {
    expect(CNPJ).toBe("11222333000181");
    expect(isValidCnpj(CNPJ)).toBe(true);
    expect(isValidCnpj(formatCnpj(CNPJ))).toBe(true);
  });

  it("rejects wrong check digits, lengths, shapes and repeated digits", () => {
    expect(isValidCnpj(breakLast(CNPJ))).toBe(false);
    expect(isValidCnpj(CNPJ.slice(1))).toBe(false);
    expect(isValidCnpj(`${CNPJ}0`)).toBe(false);
    expect(isValidCnpj("11.222.333/000181")).toBe(false);
    expect(isValidCnpj(CPF)).toBe(false);
    expect(isValidCpf(CNPJ)).toBe(false);
    for (let k = 0; k <= 9; k++) expect(isValidCnpj(String(k).repeat(14))).toBe(false);
  });

  it("accepts every synthetic CNPJ and rejects it with a changed check digit", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{12}$/), (base) => {
        const cnpj = syntheticCnpj(base);
        fc.pre(!/^(\d)\1*$/.test(cnpj));
        expect(isValidCnpj(cnpj)).toBe(true);
        expect(isValidCnpj(formatCnpj(cnpj))).toBe(true);
        expect(isValidCnpj(breakLast(cnpj))).toBe(false);
        expect(cnpjCheckDigits(base)).toBe(cnpj.slice(12));
      }),
    );
  });
});

describe("isValidCnpj, alphanumeric (IN RFB 2.229/2024)", () => {
  it("accepts the Receita Federal's published example, formatted or not, in any case", () => {
    expect(isValidCnpj("12.ABC.345/01DE-35")).toBe(true);
    expect(isValidCnpj("12ABC34501DE35")).toBe(true);
    expect(isValidCnpj("12abc34501de35")).toBe(true);
  });

  it("rejects a wrong check digit, letters in the check digits and other symbols", () => {
    expect(isValidCnpj("12.ABC.345/01DE-36")).toBe(false);
    expect(isValidCnpj("12ABC34501DE3A")).toBe(false);
    expect(isValidCnpj("12ABC34501D#35")).toBe(false);
    expect(isValidCnpj("AAAAAAAAAAAAAA")).toBe(false);
  });

  it("every alphanumeric base gets check digits that validate, and a changed one does not", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9A-Z]{12}$/), (base) => {
        const cnpj = base + cnpjCheckDigits(base);
        fc.pre(!/^(.)\1*$/.test(cnpj));
        expect(isValidCnpj(cnpj)).toBe(true);
        expect(isValidCnpj(breakLast(cnpj))).toBe(false);
      }),
    );
  });
});
