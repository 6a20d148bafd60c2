import { randomUUID } from 'node:crypto';
import { RUBBER } from '../test/system/crossing-flow';
import { declaration } from '../test/system/fixtures';
import { createAccount, gateStaff, type Post } from '../test/system/gate-staff';
import type { Role } from '../domain/roles';
import { client, type Timed } from './http';
import type { Recorder } from './recorder';

/** Passes the password policy (a phrase of unrelated words). */
const BENCH_PASSWORD = 'bench steady rubber lane';

/** The mix of crossings a run drives: the share of each kind, 0..1. */
export interface Mix {
  priority: number;
  transshipment: number;
  quarantine: number;
  returns: number;
  online: number;
}

export type People = Awaited<ReturnType<typeof accounts>>;

/** The accounts a run needs at Hữu Nghị: the admin's token, a declarant's, and the gate's people (gate-staff.ts). */
export async function accounts(system: { apiUrl: string; adminPassword: string }) {
  const call = client(system.apiUrl);
  const post: Post = (path, body, token) => call('POST', path, { body, token });
  const admin = (await call('POST', '/v1/auth/login', { body: { username: 'admin', password: system.adminPassword } })).body.token;
  const suffix = randomUUID().slice(0, 6);
  const make = async (role: Role, extra: { companyTaxCode?: string } = {}) => {
    const username = `bench-${role.toLowerCase().replace(/_/g, '-')}-${suffix}`;
    const made = await createAccount(post, admin, { username, password: BENCH_PASSWORD, role, gates: ['HUU_NGHI'], ...extra });
    return made.token;
  };
  return {
    admin,
    company: await make('DECLARANT', { companyTaxCode: '0100000002' }),
    ...(await gateStaff((role) => make(role))),
  };
}

/** The declaration every benchmark crossing starts from (natural rubber at Hữu Nghị): the tests' own fixture. */
export const DECLARATION = declaration({ goods: [RUBBER] });

/**
 * The i-th crossing's declaration: DECLARATION with a driver of its own. With one phone for every truck, the SMS
 * sender's queue held thousands of messages for one phone (sent one at a time, in order), which no gate sees.
 */
export function declarationOf(i: number): typeof DECLARATION {
  return { ...DECLARATION, driver: { ...DECLARATION.driver, phone: `+849${String(i % 100_000_000).padStart(8, '0')}` } };
}

/** Fresh dragon fruit: plant quarantine applies. */
const FRUIT = declaration().goods[0];

/** One crossing, start to finish, through the API. Returns how many Temporal Updates it took. */
export async function driveCrossing(call: ReturnType<typeof client>, t: People, opts: Mix, i: number, recorder: Recorder): Promise<number> {
  const record = recorder.record.bind(recorder);
  const base = declarationOf(i);
  const pick = (share: number, salt: number) => ((i * 7919 + salt * 104729) % 1000) / 1000 < share;
  const declaration = {
    ...base,
    priority: pick(opts.priority, 1) ? { reason: 'PERISHABLE' } : null,
    transshipment: pick(opts.transshipment, 2),
    goods: pick(opts.quarantine, 3) ? [FRUIT] : base.goods,
  };
  let updates = 0;
  const must = (res: Timed, what: string) => {
    if (res.status >= 400) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };
  const decide = async (token: string, step: string, body: object = { outcome: 'APPROVE' }) => {
    updates++;
    const id = crossing.id;
    const res = must(
      record('decide', await call('POST', `/v1/crossings/${id}/steps/${step}/decision`, { token, body, key: randomUUID() })),
      step,
    );
    // Decision accepted → visible in the work queue list of the next step (sampled: every 10th crossing).
    if (i % 10 === 0 && res.body.currentStep) {
      const started = performance.now();
      for (;;) {
        const list = record(
          'list',
          await call('GET', `/v1/crossings?status=${res.body.status}&step=${res.body.currentStep}&limit=200`, { token: t.manager }),
        );
        if (list.body.items?.some((c: { id: string }) => c.id === id)) break;
        if (performance.now() - started > 10_000) throw new Error('decision not visible in the list within 10 s');
      }
      recorder.visibility.push(performance.now() - started); // from the accepted answer to the first list that shows it
    }
    return res;
  };

  updates++;
  const crossing = must(
    record('declare', await call('POST', '/v1/crossings', { token: t.company, body: declaration, key: randomUUID() })),
    'declare',
  ).body;
  await decide(t.health, 'health-check');
  await decide(t.guard, 'border-entry');
  if (declaration.goods[0] === FRUIT) await decide(t.quarantine, 'quarantine');
  if (declaration.transshipment) {
    updates += 2;
    must(
      record(
        'transshipment',
        await call('POST', `/v1/crossings/${crossing.id}/transshipment`, {
          token: t.company,
          body: { yardCode: 'HN-Y2', toVehicle: { plate: '桂A54321', country: 'CN' } },
          key: randomUUID(),
        }),
      ),
      'register transshipment',
    );
    await decide(t.customs, 'transshipment');
    must(
      record(
        'transshipment',
        await call('POST', `/v1/crossings/${crossing.id}/transshipment/complete`, { token: t.yard, body: {}, key: randomUUID() }),
      ),
      'complete',
    );
  }
  if (pick(opts.returns, 4)) {
    await decide(t.customs, 'customs-inspection', {
      outcome: 'RETURN',
      reason: 'weight',
      fields: [{ path: 'goods.0.netWeightKg', message: 'check' }],
    });
    updates++;
    const corrected = { ...declaration, goods: [{ ...declaration.goods[0], netWeightKg: declaration.goods[0].netWeightKg + 1 }] };
    must(
      record(
        'resubmit',
        await call('PUT', `/v1/crossings/${crossing.id}/declaration`, { token: t.company, body: corrected, key: randomUUID() }),
      ),
      'resubmit',
    );
  }
  await decide(t.customs, 'customs-inspection');
  if (pick(opts.online, 5)) {
    const payment = must(
      record('pay-online', await call('POST', `/v1/crossings/${crossing.id}/fee/online-payment`, { token: t.company, key: randomUUID() })),
      'pay',
    );
    const done = must(
      record('pay-online', await call('POST', `/dev/payment-provider/payments/${payment.body.paymentId}`, { body: {} })),
      'callback',
    );
    if (done.body.callbackStatus !== 200) throw new Error(`callback: ${JSON.stringify(done.body)}`);
    updates++;
  } else {
    await decide(t.fees, 'fee-payment', { outcome: 'APPROVE', receiptNo: `BL-${i}` });
  }
  const exit = await decide(t.guard, 'border-exit');
  if (exit.body.status !== 'CLEARED') throw new Error(`crossing ended ${exit.body.status}`);
  return updates;
}
