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

const AUDIT_LOCK = 4_240_117; // any constant, the same in every process
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

/** Appends entries in order; must run inside a transaction (the lock is released at its end). */
export async function appendAudit(sql: Sql, inputs: AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  await sql('select pg_advisory_xact_lock(?)', [AUDIT_LOCK]);
  const keys = inputs.map((i) => i.sourceKey).filter((k): k is string => !!k);
  const seen = new Set(
    keys.length
      ? (
          await sql<{ source_key: string }>(
            `select source_key from audit_entry where source_key in (${keys.map(() => '?').join(', ')})`,
            keys,
          )
        ).map((r) => r.source_key)
      : [],
  );
  const fresh = inputs.filter((i) => !i.sourceKey || !seen.has(i.sourceKey));
  if (fresh.length === 0) return;
  const [last] = await sql<{ seq: string; hash: string }>('select seq, hash from audit_entry order by seq desc limit 1');
  let seq = last ? Number(last.seq) : 0;
  let prevHash = last?.hash ?? GENESIS;
  const rows: unknown[] = [];
  for (const input of fresh) {
    seq += 1;
    const entry = {
      seq,
      at: input.at.toISOString(),
      actor: input.actor,
      action: input.action,
      crossingId: input.crossingId ?? null,
      digest: digestOf(input.details),
      prevHash,
    };
    const hash = hashOf(entry);
    rows.push(
      entry.seq,
      entry.at,
      entry.actor,
      entry.action,
      entry.crossingId,
      entry.digest,
      entry.prevHash,
      hash,
      input.sourceKey ?? null,
    );
    prevHash = hash;
  }
  await sql(
    `insert into audit_entry (seq, at, actor, action, crossing_id, digest, prev_hash, hash, source_key)
     values ${fresh.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    rows,
  );
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
