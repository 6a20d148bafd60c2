/**
 * Identifier rules from the domain reference: plates, ISO 6346 container numbers, tax codes, HS codes.
 * Pure functions, shared by the API's validation and the workflow.
 */

/**
 * Plates are compared in one canonical form: full-width characters folded (NFKC: `１２Ｃ` → `12C`), no spaces, dots,
 * dashes or middle dots, upper case. Vietnamese `12C-123.45` → `12C12345`; Chinese `桂A·12345` → `桂A12345`.
 */
export function normalisePlate(plate: string): string {
  return plate
    .normalize('NFKC')
    .replace(/[\s.\-·•_]/g, '')
    .toUpperCase();
}

const VIETNAMESE_PLATE = /^\d{2}[A-Z]{1,2}\d?\d{4,5}$/;
// Province character (桂 Guangxi, 云 Yunnan, …) + letter + 5 characters (6 for new-energy vehicles).
const CHINESE_PLATE = /^\p{Script=Han}[A-Z][A-Z0-9]{5,6}$/u;

export function isValidPlate(plate: string): boolean {
  const canonical = normalisePlate(plate);
  return VIETNAMESE_PLATE.test(canonical) || CHINESE_PLATE.test(canonical);
}

/** ISO 6346 letter values: A=10 … Z=38, skipping multiples of 11. */
function letterValue(letter: string): number {
  let value = 10;
  for (let code = 'A'.charCodeAt(0); code < letter.charCodeAt(0); code++) {
    value++;
    if (value % 11 === 0) value++;
  }
  return value;
}

/** The check digit of the first ten characters of a container number, or null when they are malformed. */
export function containerCheckDigit(firstTen: string): number | null {
  if (!/^[A-Z]{3}[UJZ]\d{6}$/.test(firstTen)) return null;
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const ch = firstTen[i];
    const value = /\d/.test(ch) ? Number(ch) : letterValue(ch);
    sum += value * 2 ** i;
  }
  return (sum % 11) % 10;
}

export function isValidContainerNumber(number: string): boolean {
  const canonical = number.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z]{3}[UJZ]\d{7}$/.test(canonical)) return false;
  return containerCheckDigit(canonical.slice(0, 10)) === Number(canonical[10]);
}

/** Mã số thuế: 10 digits, or 10 digits, a dash and 3 digits for a branch. */
export const TAX_CODE = /^\d{10}(-\d{3})?$/;

/** HS codes: 8 digits in Vietnam's tariff (AHTN); 4–10 digits accepted. */
export const HS_CODE = /^\d{4,10}$/;

export function hsChapter(hsCode: string): number {
  return Number(hsCode.slice(0, 2));
}
