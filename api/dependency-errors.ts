import { isGrpcServiceError } from '@temporalio/client';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'ENETUNREACH']);
// PostgreSQL SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, crash recovery).
const POSTGRES_DOWN = /^(08|57P)/;

/** True when an error means Temporal or PostgreSQL could not be reached, so the client should hear 503 and retry. */
export function isDependencyDown(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || POSTGRES_DOWN.test(code))) return true;
    // gRPC UNAVAILABLE (14) and DEADLINE_EXCEEDED (4) from the Temporal client.
    if (isGrpcServiceError(e) && (e.code === 14 || e.code === 4)) return true;
    const message = (e as Error).message ?? '';
    if (/Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Failed to connect/i.test(message)) return true;
    if ((e as Error).name === 'ServiceError' && /UNAVAILABLE|deadline/i.test(message)) return true;
  }
  return false;
}
