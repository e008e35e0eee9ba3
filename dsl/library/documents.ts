/**
 * Brazilian document numbers: CPF (individuals, 11 digits) and CNPJ (companies, 14 digits).
 * Both accept the digits alone or the usual formatting (`000.000.000-00`, `00.000.000/0000-00`),
 * with surrounding whitespace ignored; any other shape is rejected. Numbers made of one repeated
 * digit (e.g. `111.111.111-11`) pass the check-digit arithmetic but are not valid documents.
 *
 * CNPJs may be alphanumeric (Receita Federal, IN RFB 2.229/2024, issued from July 2026): the first
 * 12 characters are digits or upper-case letters, the last 2 are digits; every character counts as
 * its code minus 48 in the same mod-11 arithmetic (so a numeric CNPJ checks exactly as before).
 */

const CPF_RE = /^(?:\d{11}|\d{3}\.\d{3}\.\d{3}-\d{2})$/;
const CNPJ_RE = /^(?:[0-9A-Z]{12}\d{2}|[0-9A-Z]{2}\.[0-9A-Z]{3}\.[0-9A-Z]{3}\/[0-9A-Z]{4}-\d{2})$/;
const REPEATED_RE = /^(\d)\1*$/;

/** The ASCII digits of `text`, in order (`"123.456-7"` → `"1234567"`). */
export function onlyDigits(text: string): string {
  return text.replace(/[^0-9]/g, "");
}

function digitsOf(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0) - 48);
}

/** CPF check digit for the given leading digits (weights n+1 … 2). */
function cpfCheckDigit(digits: readonly number[]): number {
  let sum = 0;
  const weightStart = digits.length + 1;
  digits.forEach((d, i) => {
    sum += d * (weightStart - i);
  });
  const r = (sum * 10) % 11;
  return r === 10 ? 0 : r;
}

/** CNPJ check digit for the given leading digits (weights 2…9 cycling from the right). */
function cnpjCheckDigit(digits: readonly number[]): number {
  let sum = 0;
  let weight = 2;
  for (let i = digits.length - 1; i >= 0; i--) {
    sum += (digits[i] as number) * weight;
    weight = weight === 9 ? 2 : weight + 1;
  }
  const r = sum % 11;
  return r < 2 ? 0 : 11 - r;
}

/** Computes the two check digits of a CPF from its first 9 digits (given as a 9-digit string). */
export function cpfCheckDigits(base9: string): string {
  const d = digitsOf(base9);
  const d1 = cpfCheckDigit(d);
  const d2 = cpfCheckDigit([...d, d1]);
  return `${d1}${d2}`;
}

/** Computes the two check digits of a CNPJ from its first 12 characters (digits or A–Z). */
export function cnpjCheckDigits(base12: string): string {
  const d = digitsOf(base12);
  const d1 = cnpjCheckDigit(d);
  const d2 = cnpjCheckDigit([...d, d1]);
  return `${d1}${d2}`;
}

/** True when `text` is a well-formed CPF with correct check digits. */
export function isValidCpf(text: string): boolean {
  const t = text.trim();
  if (!CPF_RE.test(t)) return false;
  const digits = onlyDigits(t);
  if (REPEATED_RE.test(digits)) return false;
  return cpfCheckDigits(digits.slice(0, 9)) === digits.slice(9);
}

/** True when `text` is a well-formed CNPJ (numeric or alphanumeric) with correct check digits. */
export function isValidCnpj(text: string): boolean {
  const t = text.trim().toUpperCase();
  if (!CNPJ_RE.test(t)) return false;
  const chars = t.replace(/[^0-9A-Z]/g, "");
  if (REPEATED_RE.test(chars)) return false;
  return cnpjCheckDigits(chars.slice(0, 12)) === chars.slice(12);
}
