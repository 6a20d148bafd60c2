import { createHash } from 'node:crypto';

/**
 * The audit trail: an append-only hash chain in PostgreSQL. Each entry stores a digest of what was done (not the
 * company data itself) and a hash over its own fields and the previous entry's hash, so a row edited or deleted
 * later is detected by `verifyChain`.
 *
 * Appends from every process (API replicas, workers) are serialised by a transaction-scoped advisory lock, so the
 * chain never forks; an entry with a `sourceKey` is written once however often its writer retries.
 */
export interface AuditInput {
  at: Date;
  actor: string;
  action: string;
  crossingId?: string | null;
  details?: unknown;
  /** Identifies the fact audited (`crossing:<id>:<event seq>`), so a retried writer appends it once. */
  sourceKey?: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  crossingId: string | null;
  digest: string;
  prevHash: string;
  hash: string;
}

/** An audit_entry row as PostgreSQL returns it. */
export interface AuditRow {
  seq: string;
  at: Date | string;
  actor: string;
  action: string;
  crossing_id: string | null;
  digest: string;
  prev_hash: string;
  hash: string;
}

export function entryOf(row: AuditRow): AuditEntry {
  return {
    seq: Number(row.seq),
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    action: row.action,
    crossingId: row.crossing_id,
    digest: row.digest,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** What executes SQL inside the caller's transaction (MikroORM's connection or a pg client, adapted). */
export type Sql = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

export const GENESIS = '0'.repeat(64);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** JSON with sorted keys, so the same details always give the same digest. */
function canonical(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
    .join(',')}}`;
}

export function digestOf(details: unknown): string {
  return sha256(canonical(details ?? {}));
}

export function hashOf(e: Omit<AuditEntry, 'hash'>): string {
  return sha256([e.prevHash, e.seq, e.at, e.actor, e.action, e.crossingId ?? '', e.digest].join('|'));
}

/**
 * Appends entries in order, in one round trip: the database function `append_audit` (migration 0500) takes the lock,
 * skips entries already appended under their `sourceKey`, and links and hashes the rest as `hashOf` does. Runs in the
 * caller's transaction, or as a statement of its own.
 */
export async function appendAudit(sql: Sql, inputs: AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  await sql('select append_audit(?::jsonb)', [JSON.stringify(auditEntriesJson(inputs))]);
}

/** The `entries` argument of `append_audit`: what the caller knows of each entry, its details reduced to a digest. */
export function auditEntriesJson(inputs: AuditInput[]) {
  return inputs.map((input) => ({
    at: input.at.toISOString(),
    actor: input.actor,
    action: input.action,
    crossingId: input.crossingId ?? null,
    digest: digestOf(input.details),
    sourceKey: input.sourceKey ?? null,
  }));
}

/** Walks the whole chain: the first entry whose hash, link or sequence does not hold, or null when all do. */
export async function verifyChain(sql: Sql): Promise<{ ok: boolean; entries: number; firstBadSeq: number | null }> {
  const pageSize = 5000;
  let expectedSeq = 1;
  let prevHash = GENESIS;
  let entries = 0;
  for (;;) {
    const rows = await sql<AuditRow>(
      'select seq, at, actor, action, crossing_id, digest, prev_hash, hash from audit_entry where seq >= ? order by seq limit ?',
      [expectedSeq, pageSize],
    );
    for (const row of rows) {
      const entry = entryOf(row);
      if (entry.seq !== expectedSeq || entry.prevHash !== prevHash || hashOf(entry) !== entry.hash) {
        return { ok: false, entries, firstBadSeq: expectedSeq };
      }
      entries++;
      expectedSeq++;
      prevHash = row.hash;
    }
    if (rows.length < pageSize) return { ok: true, entries, firstBadSeq: null };
  }
}
