import { randomUUID } from 'node:crypto';
import { db } from './client';

/**
 * A gate of its own for a test that needs deadlines of seconds: its gate-specific policy rows outrank the `*`
 * defaults and touch no other test's crossings. (Written straight to the policy table; admins use the API.)
 */
export async function gateWithDeadlines(policies: { step: string; sla: string; expireAfter: string }[]): Promise<string> {
  const code = `T_${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
  await db().query(
    `insert into gate (code, name, province, fee_collector) values ($1, 'Test gate', 'Lạng Sơn', 'GATE_MANAGEMENT_CENTRE')`,
    [code],
  );
  await db().query(`insert into yard (gate_code, code, capacity) values ($1, 'Y1', 10)`, [code]);
  for (const p of policies) await setPolicy(code, p.step, p.sla, p.expireAfter);
  return code;
}

export async function setPolicy(gate: string, step: string, sla: string, expireAfter: string): Promise<number> {
  const { rows } = await db().query(
    `insert into deadline_policy (gate, category, step, sla, expire_after, version) values ($1, '*', $2, $3, $4, 1)
     on conflict (gate, category, step) do update set sla = excluded.sla, expire_after = excluded.expire_after,
       version = deadline_policy.version + 1, updated_at = now()
     returning version`,
    [gate, step, sla, expireAfter],
  );
  return rows[0].version;
}
