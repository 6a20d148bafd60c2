import type { EntityManager } from '@mikro-orm/postgresql';
import type { Role } from '../../../domain/roles';
import type { Account } from '../entities/account';
import { preparedSqlOf } from '../orm';
import type { CrossingOwnership } from './read-model';

/** What an authenticated request reads before its handler runs, all in one statement (RequestOpening.open). */
export interface OpeningQuery {
  /** The token's claims: its account, the account's token version when issued, and its own id. */
  token: { accountId: string; version: number; jti: string };
  /** The roles the route admits: a claim is taken, and a crossing read, only for a caller that may act. */
  roles: readonly Role[];
  /** A change sent with an Idempotency-Key: claim it in the same statement. */
  claim?: { key: string; requestHash: string; leaseMs: number };
  /** A route about one crossing (`/v1/crossings/{id}…`): read its row, for the access rule and the answer. */
  crossingId?: string;
  /** A route naming a gate in its body (a declaration): whether the gate exists and keeps a queue. */
  gate?: string;
}

/** A crossing's row as the opening statement reads it: who may see it, its view, and the truck's latest fix. */
export interface OpenedCrossing extends CrossingOwnership {
  track: { last_at: string; segment_code: string | null; holding_area: string | null; speed_kmh: number | null } | null;
}

export interface Opening {
  /** The token's account as it is now; undefined when there is no such account. */
  account?: Account;
  /** Whether the token itself was revoked (a logout). */
  revoked: boolean;
  /** Whether the statement claimed the Idempotency-Key (false also when no claim was asked for). */
  claimed: boolean;
  /** The crossing asked for, or null when there is none (or the caller may not act); absent when none was asked. */
  crossing?: OpenedCrossing | null;
  /** The gate asked for, or null when there is no such gate; absent when none was asked. */
  gate?: OpenedGate | null;
}

export interface OpenedGate {
  code: string;
  /** Whether the gate keeps a virtual queue (its settings are set). */
  queued: boolean;
}

interface OpeningRow {
  caller: {
    id: string;
    username: string;
    role: Role;
    gates: string[];
    company_tax_code: string | null;
    display_name: string | null;
    disabled: boolean;
    token_version: number;
    created_at: string;
    updated_at: string;
    revoked: boolean;
  } | null;
  claimed: boolean;
  crossing: OpenedCrossing | null;
  gate: OpenedGate | null;
}

/**
 * The first round trip of every authenticated request (api/route.ts), so that a read costs one and a change two (this
 * and its stored answer): the token's account read fresh, with whether the token was revoked
 * (so a logout, a password change or a disable ends it at once), the Idempotency-Key claimed, and the crossing the
 * route is about or the gate its body names. The claim and the crossing are taken only for a live token of a role the route admits: a refused
 * request changes nothing and learns nothing.
 */
export class RequestOpening {
  constructor(private readonly em: EntityManager) {}

  async open(query: OpeningQuery): Promise<Opening> {
    const { token, claim } = query;
    const [row] = await preparedSqlOf(this.em, 'request_opening')<OpeningRow>(
      `with caller as (
         select a.id, a.username, a.role, a.gates, a.company_tax_code, a.display_name, a.disabled, a.token_version,
                a.created_at, a.updated_at, exists (select 1 from revoked_token r where r.jti = ?::uuid) as revoked
           from account a where a.id = ?::uuid
       ), live as (
         select id from caller where not disabled and not revoked and token_version = ?::integer and role = any(?::text[])
       ), claim as (
         insert into idempotency_record (account_id, key, request_hash, locked_until)
         select id, ?::text, ?::text, now() + ?::double precision * interval '1 millisecond' from live where ?::boolean
         on conflict do nothing returning key
       )
       select (select row_to_json(caller) from caller) as caller,
              exists (select 1 from claim) as claimed,
              (select json_build_object('id', c.id, 'gate_code', c.gate_code, 'company_tax_code', c.company_tax_code, 'view', c.view,
                        'track', (select row_to_json(t) from (select last_at, segment_code, holding_area, speed_kmh
                                                                from crossing_track where crossing_id = c.id) t))
                 from crossing c where c.id = ?::uuid and exists (select 1 from live)) as crossing,
              (select json_build_object('code', g.code, 'queued', g.queue_arrive_within is not null)
                 from gate g where g.code = ?::text and exists (select 1 from live)) as gate`,
      [
        token.jti,
        token.accountId,
        token.version,
        pgTextArray(query.roles),
        claim?.key ?? '',
        claim?.requestHash ?? '',
        claim?.leaseMs ?? 0,
        claim !== undefined,
        query.crossingId ?? null,
        query.gate ?? null,
      ],
    );
    const caller = row?.caller;
    return {
      account: caller
        ? {
            id: caller.id,
            username: caller.username,
            passwordHash: '',
            role: caller.role,
            gates: caller.gates,
            companyTaxCode: caller.company_tax_code,
            displayName: caller.display_name,
            disabled: caller.disabled,
            tokenVersion: caller.token_version,
            createdAt: new Date(caller.created_at),
            updatedAt: new Date(caller.updated_at),
          }
        : undefined,
      revoked: caller?.revoked ?? false,
      claimed: row?.claimed ?? false,
      ...(query.crossingId !== undefined ? { crossing: row?.crossing ?? null } : {}),
      ...(query.gate !== undefined ? { gate: row?.gate ?? null } : {}),
    };
  }
}

/**
 * A condition that holds only while a token does and its account is still as the token's claims describe it (gates,
 * company, role): the one round trip of a read that works from the claims (a list) carries it, and a store running
 * such a read sets `held`. When it does not hold (the token ended, or an admin changed the account's gates), the
 * caller answers the slow way: the opening statement, then the read with the account as it now is (api/route.ts).
 */
export class TokenGuard {
  readonly sql =
    'exists (select 1 from account a where a.id = ? and not a.disabled and a.token_version = ? and a.role = ?' +
    ' and a.gates = ?::text[] and a.company_tax_code is not distinct from ?' +
    ' and not exists (select 1 from revoked_token r where r.jti = ?))';
  readonly params: unknown[];
  /** Set by the store that ran the read: whether the condition held. */
  held?: boolean;

  constructor(claims: {
    accountId: string;
    version: number;
    role: Role;
    gates: readonly string[];
    companyTaxCode: string | null;
    jti: string;
  }) {
    this.params = [claims.accountId, claims.version, claims.role, pgTextArray(claims.gates), claims.companyTaxCode, claims.jti];
  }
}

/** A PostgreSQL text[] literal, each element quoted (so a value is never read as a separator or a brace). */
function pgTextArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}
