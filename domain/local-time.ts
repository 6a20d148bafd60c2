/**
 * Times as a person at a gate reads them: in the gate's local time with the zone shown. Every seeded gate is in
 * Vietnam (Asia/Ho_Chi_Minh, UTC+7 all year, no daylight saving); machines still exchange ISO 8601 with an offset.
 */
export const GATE_TIME_ZONE = 'Asia/Ho_Chi_Minh';
export const GATE_ZONE_LABEL = 'UTC+7';
const OFFSET = '+07:00';
const OFFSET_MS = 7 * 3600_000;

const wallClock = new Intl.DateTimeFormat('sv-SE', {
  timeZone: GATE_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** `2026-12-01 14:05:09 UTC+7`: for documents and screens. */
export function gateLocalTime(at: string | Date, { seconds = true }: { seconds?: boolean } = {}): string {
  const text = wallClock.format(new Date(at)).replace(',', '');
  return `${seconds ? text : text.slice(0, 16)} ${GATE_ZONE_LABEL}`;
}

/** The start of the gate-local hour holding `at`, as ISO 8601 with the gate's offset: `2026-12-01T14:00:00+07:00`. */
export function gateLocalHour(at: string | Date): string {
  const local = new Date(new Date(at).getTime() + OFFSET_MS);
  local.setUTCMinutes(0, 0, 0);
  return `${local.toISOString().slice(0, 19)}${OFFSET}`;
}
