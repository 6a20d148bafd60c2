import type { Language } from '.';

/**
 * Why a plate read is on the border guard's exception list, in the reader's language. The API says it in English
 * (domain/gate-floor.ts: `matchRead` gives the cause, `barrierAnswer` adds where the read went); a Vietnamese reader
 * gets the sentences the API is known to write, recognised by their shape, and any other sentence as the API wrote it,
 * so nothing the API says is ever hidden.
 */
const CAUSES: [RegExp, (m: RegExpExecArray) => string][] = [
  [
    /^The read's confidence ([\d.]+) is below the gate's threshold of ([\d.]+)$/,
    (m) => `Độ tin cậy của lần đọc (${m[1]}) thấp hơn ngưỡng của cửa khẩu (${m[2]})`,
  ],
  [
    /^The plate read (.+) matches the crossing of (.+) only by reading O as 0, I as 1 or B as 8$/,
    (m) => `Biển đọc được ${m[1]} chỉ khớp với xe ${m[2]} khi coi O là 0, I là 1 hoặc B là 8`,
  ],
  [/^(\d+) open crossings have the plate (.+) at this gate$/, (m) => `${m[1]} chuyến đang mở cùng mang biển ${m[2]} tại cửa khẩu này`],
  [/^(\d+) open crossings have plates that read like (.+)$/, (m) => `${m[1]} chuyến đang mở có biển số đọc giống ${m[2]}`],
  [/^No open crossing has the plate (.+) at this gate$/, (m) => `Không có chuyến nào đang mở mang biển ${m[1]} tại cửa khẩu này`],
  [/^The crossing was not found$/, () => 'Không tìm thấy chuyến xe'],
  // A barrier's answer for a truck that came before its call (domain/gate-floor.ts `barrierAnswer`).
  [
    /^Not called yet: the truck waits in the queue until the border guard admits it$/,
    () => 'Xe chưa được gọi: xe chờ trong hàng chờ gọi xe cho đến khi biên phòng cho vào',
  ],
];

const LISTED = "; the read is on the border guard's exception list";
const BARRIER = ', and the barrier stays closed until a guard links it';

export function readReason(language: Language, reason: string): string {
  if (language !== 'vi') return reason;
  const body = reason.replace(/\.$/, '');
  const listed = body.indexOf(LISTED);
  const cause = listed >= 0 ? body.slice(0, listed) : body;
  const rest = listed >= 0 ? body.slice(listed + LISTED.length) : '';
  for (const [pattern, words] of CAUSES) {
    const m = pattern.exec(cause);
    if (!m) continue;
    if (listed < 0) return `${words(m)}.`;
    if (rest === '') return `${words(m)}; lần đọc được đưa vào danh sách ngoại lệ của biên phòng.`;
    if (rest === BARRIER) return `${words(m)}; lần đọc được đưa vào danh sách ngoại lệ, barie đóng cho đến khi biên phòng liên kết.`;
  }
  return reason;
}
