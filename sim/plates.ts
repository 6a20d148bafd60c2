import { randomInt } from 'node:crypto';

/**
 * Plates as trucks at the Lạng Sơn gates carry them, and as a camera gets them wrong.
 *
 * Vietnamese lorries are `<province><series>-<ddd>.<dd>`: the province's two digits (12 Lạng Sơn, 29 Hà Nội,
 * 15 Hải Phòng, 14 Quảng Ninh, 98 Bắc Giang, 99 Bắc Ninh, 34 Hải Dương, 89 Hưng Yên, 51 Hồ Chí Minh), series C for
 * lorries and R for trailers (sơ mi rơ moóc). Chinese trucks from Guangxi are 桂 + the city letter (A Nanning,
 * F Fangchenggang, P Pingxiang) + five characters. Numbers are drawn at random so that runs against a long-lived
 * system do not meet each other's open crossings.
 */
const PROVINCES = ['12', '29', '15', '14', '98', '99', '34', '89', '51'] as const;
const GUANGXI_CITIES = ['A', 'F', 'P'] as const;

function pick<T>(items: readonly T[]): T {
  return items[randomInt(items.length)];
}

function digits(n: number): string {
  return Array.from({ length: n }, () => String(randomInt(10))).join('');
}

/** Five random digits, with `must` (a digit) at a random place when given: a plate a confusion can reach. */
function serial(must?: string): string {
  const five = digits(5).split('');
  if (must !== undefined) five[randomInt(5)] = must;
  return five.join('');
}

/** `29C-106.37`; `must` puts that digit somewhere in the number. */
export function vietnameseLorry(must?: string): string {
  const n = serial(must);
  return `${pick(PROVINCES)}C-${n.slice(0, 3)}.${n.slice(3)}`;
}

export function vietnameseTrailer(): string {
  const n = serial();
  return `${pick(PROVINCES)}R-${n.slice(0, 3)}.${n.slice(3)}`;
}

/** `桂P12345` (Guangxi). */
export function chineseLorry(): string {
  return `桂${pick(GUANGXI_CITIES)}${digits(5)}`;
}

/**
 * What an OCR camera makes of a plate in the rain: one digit read as the letter it resembles. `0`→`O` and `8`→`B`
 * are the confusions the gate's matcher forgives only as a doubtful match (API.md, "Devices and plate reads").
 */
export function misread(plate: string, digit: '0' | '8' | '1'): string {
  const letter = { '0': 'O', '8': 'B', '1': 'I' }[digit];
  // Only the number part (after the series letter) is misread: that is where the confusable digit was put.
  const dash = plate.indexOf('-');
  const at = plate.indexOf(digit, dash < 0 ? 0 : dash);
  if (at < 0) throw new Error(`${plate} has no ${digit} to misread`);
  return `${plate.slice(0, at)}${letter}${plate.slice(at + 1)}`;
}

/** A Vietnamese lorry's plate not in `used`, which it joins: a run's trucks each have their own. */
export function freshPlate(used: Set<string>): string {
  for (;;) {
    const plate = vietnameseLorry();
    if (!used.has(plate)) {
      used.add(plate);
      return plate;
    }
  }
}
