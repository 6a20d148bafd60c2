import { DriverException } from '@mikro-orm/core';

/**
 * What a database error means, without its words: PostgreSQL's messages, details and the SQL MikroORM puts in front
 * of them can carry the values of a row (a plate, a name), so the rest of the system reads only the SQLSTATE code.
 */

/** The SQLSTATE of a PostgreSQL error, looked for through the errors that wrap it. */
export function sqlStateOf(err: unknown): string | undefined {
  for (
    let e: unknown = err, depth = 0;
    e && depth < 6;
    e = (e as { cause?: unknown; previous?: unknown }).cause ?? (e as { previous?: unknown }).previous, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    // Five characters of digits and capitals; no SQLSTATE class starts with E, unlike Node's EPIPE.
    if (typeof code === 'string' && /^[0-9A-DF-Z][0-9A-Z]{4}$/.test(code)) return code;
  }
  return undefined;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'ENETUNREACH']);
// SQLSTATE classes a retry can cure: 08 connection exception, 40 transaction rollback (serialization, deadlock),
// 53 insufficient resources, 57 operator intervention (a statement cancelled by its timeout, shutdown).
const TRANSIENT_STATE = /^(08|40|53|57)/;
// "Transaction query already complete" is knex's answer to a statement sent in a transaction that has already ended.
// In this code base no statement is sent after a commit, so it means the transaction was ended under it: its BEGIN,
// sent on a pooled connection to a server that stopped answering, timed out (query_timeout), and the statement queued
// behind it was refused with this error instead of the timeout (test/database-errors.test.ts). Retrying cures it.
const TRANSIENT_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Query read timeout|Timeout acquiring a connection|Transaction query already complete/i;

/** True when PostgreSQL could not be reached or asked to try again: the same statement may well succeed later. */
export function isTransientDatabaseError(err: unknown): boolean {
  const state = sqlStateOf(err);
  if (state) return TRANSIENT_STATE.test(state);
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if ((e as Error).name === 'KnexTimeoutError' || TRANSIENT_MESSAGE.test((e as Error).message ?? '')) return true;
  }
  return false;
}

/** A sentence about a database error that is safe to log or show: its SQLSTATE and class, never its message. */
export function describeDatabaseError(err: unknown): string | undefined {
  const state = sqlStateOf(err);
  // MikroORM's wrapper of every driver error: its message starts with the statement, values inlined.
  if (!state) return err instanceof DriverException ? `PostgreSQL driver error without a SQLSTATE (${err.name})` : undefined;
  const classes: Record<string, string> = {
    '08': 'connection exception',
    '22': 'data exception',
    '23': 'integrity constraint violation',
    '40': 'transaction rollback',
    '42': 'syntax error or access rule violation',
    '53': 'insufficient resources',
    '57': 'operator intervention',
  };
  return `PostgreSQL error ${state} (${classes[state.slice(0, 2)] ?? 'see the PostgreSQL error codes'})`;
}
