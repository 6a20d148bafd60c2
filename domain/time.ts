import { z } from 'zod';

/**
 * Times as the API takes them: ISO 8601 with an offset (a time without one is ambiguous at a border between UTC+7
 * and UTC+8). Offsets beyond ±14:00 exist nowhere on Earth and PostgreSQL refuses them; years outside 2000–2100 are
 * a typing error at a border gate, not a date. Both are a 400 naming the field, not a failure deeper in.
 */
export const EARLIEST_YEAR = 2000;
export const LATEST_YEAR = 2100;

function plausible(value: string): boolean {
  const offset = /([+-])(\d{2}):?(\d{2})$/.exec(value);
  if (offset && (Number(offset[2]) > 14 || Number(offset[3]) > 59 || (Number(offset[2]) === 14 && Number(offset[3]) > 0))) return false;
  const time = Date.parse(value);
  if (Number.isNaN(time)) return false;
  const year = new Date(time).getUTCFullYear();
  return year >= EARLIEST_YEAR && year <= LATEST_YEAR;
}

export const isoDateTime = () =>
  z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 time with an offset, such as 2026-11-22T08:00:00+07:00' })
    .refine(plausible, `must be a time between ${EARLIEST_YEAR} and ${LATEST_YEAR} with an offset within ±14:00`);

export const isoDate = () =>
  z.iso
    .date({ message: 'must be an ISO 8601 date such as 2026-11-22' })
    .refine((value) => plausible(`${value}T00:00:00Z`), `must be a date between ${EARLIEST_YEAR} and ${LATEST_YEAR}`);
