import { randomUUID } from 'node:crypto';
import { account, declaration, http, type TestAccount } from './client';
import type { DeclarationInput } from '../../domain/declaration';
import { gateWithDeadlines } from './test-gate';
import { gateStaff, type GateStaffOf } from './gate-staff';

/** The people at one gate (gate-staff.ts), created once per gate and test file. */
export type GateStaff = GateStaffOf<TestAccount>;

const staffByGate = new Map<string, Promise<GateStaff>>();

export function staffOf(gate = 'HUU_NGHI'): Promise<GateStaff> {
  if (!staffByGate.has(gate))
    staffByGate.set(
      gate,
      gateStaff((role) => account(role, [gate])),
    );
  return staffByGate.get(gate)!;
}

/** Natural rubber (HS 4001.22): no quarantine, so a plain crossing has the five agency steps. */
export const RUBBER = {
  hsCode: '40012200',
  description: 'Natural rubber TSR 20',
  quantity: 20,
  unit: 'PALLET',
  netWeightKg: 20000,
  valueUsd: 34000,
  origin: 'VN',
};

export async function declare(company: TestAccount, overrides: Partial<DeclarationInput> = {}) {
  const res = await http('POST', '/v1/crossings', { token: company.token, body: declaration({ goods: [RUBBER], ...overrides }) });
  if (res.status !== 201) throw new Error(`declaring failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export function decide(
  officer: TestAccount,
  crossingId: string,
  step: string,
  body: Record<string, unknown> = { outcome: 'APPROVE' },
  key?: string,
) {
  return http('POST', `/v1/crossings/${crossingId}/steps/${step}/decision`, {
    token: officer.token,
    body,
    headers: { 'Idempotency-Key': key ?? randomUUID() },
  });
}

/** Approves steps in order, failing loudly if one is refused. */
export async function approve(staff: GateStaff, crossingId: string, steps: string[]) {
  let last;
  for (const step of steps) {
    const officer = {
      'health-check': staff.health,
      'border-entry': staff.guard,
      quarantine: staff.quarantine,
      transshipment: staff.customs,
      'customs-inspection': staff.customs,
      'fee-payment': staff.fees,
      'border-exit': staff.guard,
    }[step]!;
    const body = step === 'fee-payment' ? { outcome: 'APPROVE', receiptNo: `BL-${randomUUID().slice(0, 8)}` } : { outcome: 'APPROVE' };
    last = await decide(officer, crossingId, step, body);
    if (last.status !== 200) throw new Error(`approving ${step} failed: ${last.status} ${JSON.stringify(last.body)}`);
  }
  return last!;
}

export function statusOf(view: { steps: { step: string; status: string }[] }): Record<string, string> {
  return Object.fromEntries(view.steps.map((s) => [s.step, s.status]));
}

/** Polls the crossing until `until` holds (deadlines fire on the server's clock), or fails after `timeoutMs`. */
export async function waitFor(token: string, crossingId: string, until: (view: any) => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await http('GET', `/v1/crossings/${crossingId}`, { token });
    if (res.status === 200 && until(res.body)) return res.body;
    if (Date.now() > deadline) throw new Error(`crossing ${crossingId} did not reach the expected state: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * A crossing on a gate of its own whose customs inspection expires after 3 s, once the truck was admitted: the
 * crossing as it ends EXPIRED with its compensation run (the turn-back order issued, the yard place released).
 */
export async function crossingExpiredAtCustoms() {
  const gate = await gateWithDeadlines([{ step: 'customs-inspection', sla: 'PT1S', expireAfter: 'PT3S' }]);
  const staff = await staffOf(gate);
  const company = await account('DECLARANT', [gate]);
  const created = await declare(company, { gate });
  await approve(staff, created.id, ['health-check', 'border-entry']);
  // The crossing is EXPIRED at once; its undos show PENDING until each has run.
  const expired = await waitFor(
    company.token,
    created.id,
    (v) => v.status === 'EXPIRED' && v.compensations.every((c: { status: string }) => c.status === 'DONE'),
  );
  return { gate, staff, company, created, expired };
}
