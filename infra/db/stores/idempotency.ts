import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlOf } from '../orm';

/** A stored first answer, or the claim of a request still running under the key. */
export interface IdempotencyRecord {
  requestHash: string;
  answer?: { status: number; body: unknown; headers: Record<string, string> };
  /** How long the claim of a request still running is leased for (ms); 0 or less when it has run out. */
  leaseLeftMs: number;
}

/** The `idempotency_record` table: per (account, Idempotency-Key) a claim with a lease, then the first answer. */
export class IdempotencyStore {
  constructor(private readonly em: EntityManager) {}

  /** Claims the key for a request; false when it is already claimed or answered. */
  async claim(accountId: string, key: string, requestHash: string, leaseMs: number): Promise<boolean> {
    const claimed = await sqlOf(this.em)(
      `insert into idempotency_record (account_id, key, request_hash, locked_until)
       values (?, ?, ?, now() + ? * interval '1 millisecond') on conflict do nothing returning key`,
      [accountId, key, requestHash, leaseMs],
    );
    return claimed.length > 0;
  }

  async find(accountId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const [row] = await sqlOf(this.em)<{
      request_hash: string;
      status: number | null;
      body: unknown;
      headers: Record<string, string> | null;
      lease_left_ms: number | null;
    }>(
      `select request_hash, status, body, headers, extract(epoch from (locked_until - now())) * 1000 as lease_left_ms
         from idempotency_record where account_id = ? and key = ?`,
      [accountId, key],
    );
    if (!row) return undefined;
    return {
      requestHash: row.request_hash,
      answer: row.status == null ? undefined : { status: row.status, body: row.body, headers: row.headers ?? {} },
      leaseLeftMs: Number(row.lease_left_ms ?? 0),
    };
  }

  /** Takes over a claim whose lease has run out; false when another request took it first (or it was answered). */
  async takeOver(accountId: string, key: string, leaseMs: number): Promise<boolean> {
    const taken = await sqlOf(this.em)(
      `update idempotency_record set locked_until = now() + ? * interval '1 millisecond'
        where account_id = ? and key = ? and status is null and (locked_until is null or locked_until <= now()) returning key`,
      [leaseMs, accountId, key],
    );
    return taken.length > 0;
  }

  async answer(accountId: string, key: string, answer: { status: number; body: unknown; headers: Record<string, string> }): Promise<void> {
    await sqlOf(this.em)('update idempotency_record set status = ?, body = ?, headers = ? where account_id = ? and key = ?', [
      answer.status,
      JSON.stringify(answer.body ?? null),
      JSON.stringify(answer.headers),
      accountId,
      key,
    ]);
  }

  /**
   * Ends the lease of a request that failed without an answer worth keeping, so that a retry runs at once. The record
   * stays: the key still belongs to its request, and the same key with a different request is still refused.
   */
  async release(accountId: string, key: string): Promise<void> {
    await sqlOf(this.em)('update idempotency_record set locked_until = now() where account_id = ? and key = ? and status is null', [
      accountId,
      key,
    ]);
  }
}
