import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { CrossingClient, idempotentUuid } from '../api/crossing-client';
import { Misconfigured, toApiError } from '../api/problem';
import { DeclarationSchema } from '../domain/declaration';
import { CROSSING_CATEGORY, CROSSING_STATUS, CROSSING_STEP, GATE_CODE } from '../workflows/search-attributes';
import { account, declaration, http, system } from './system/client';
import { approve, decide, declare, RUBBER, staffOf } from './system/crossing-flow';

const UPSERT = temporal.api.enums.v1.EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES;

/**
 * What operators filter crossings by in the Temporal Web UI: status, gate and category, set with the start by the API
 * and upserted only when one of them changes. Describe reads the workflow's own state, so what it shows is current
 * (the list's visibility store follows a moment later).
 */
describe('the search attributes of a crossing', () => {
  let connection: Connection;
  let client: Client;
  beforeAll(async () => {
    connection = await Connection.connect({ address: system().temporalAddress });
    client = new Client({ connection });
  });
  afterAll(() => connection.close());

  const attributesOf = async (crossingId: string) => {
    const { typedSearchAttributes } = await client.workflow.getHandle(`crossing-${crossingId}`).describe();
    return {
      status: typedSearchAttributes.get(CROSSING_STATUS),
      gate: typedSearchAttributes.get(GATE_CODE),
      category: typedSearchAttributes.get(CROSSING_CATEGORY),
      step: typedSearchAttributes.get(CROSSING_STEP),
    };
  };
  /** The upserts of our attributes in a crossing's history (the SDK's own TemporalChangeVersion left out). */
  const upsertsOf = async (crossingId: string) => {
    const history = await client.workflow.getHandle(`crossing-${crossingId}`).fetchHistory();
    return (history.events ?? [])
      .filter((e) => e.eventType === UPSERT)
      .map((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).sort())
      .filter((keys) => !keys.includes('TemporalChangeVersion'));
  };

  it('come with the start and change once, at the end, for a crossing cleared through every step', async () => {
    const staff = await staffOf();
    const created = await declare(await account('DECLARANT'));
    expect(await attributesOf(created.id)).toEqual({ status: 'IN_PROGRESS', gate: 'HUU_NGHI', category: 'EXPORT', step: undefined });
    expect(await upsertsOf(created.id)).toEqual([]);

    await approve(staff, created.id, ['health-check', 'border-entry', 'customs-inspection']);
    expect(await upsertsOf(created.id)).toEqual([]);
    const cleared = await approve(staff, created.id, ['fee-payment', 'border-exit']);
    expect(cleared.body.status).toBe('CLEARED');
    expect(await attributesOf(created.id)).toEqual({ status: 'CLEARED', gate: 'HUU_NGHI', category: 'EXPORT', step: undefined });
    expect(await upsertsOf(created.id)).toEqual([['CrossingCategory', 'CrossingStatus', 'GateCode']]);
  });

  it('follow a form returned and resubmitted as a priority crossing: status and category', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const created = await declare(company);
    await approve(staff, created.id, ['health-check', 'border-entry']);
    const returned = await decide(staff.customs, created.id, 'customs-inspection', {
      outcome: 'RETURN',
      reason: 'Net weight does not match the scan',
      fields: [{ path: 'goods.0.netWeightKg', message: 'scan shows about 19,500 kg' }],
    });
    expect(returned.status).toBe(200);
    expect(await attributesOf(created.id)).toMatchObject({ status: 'AWAITING_CORRECTION', category: 'EXPORT' });

    const resubmitted = await http('PUT', `/v1/crossings/${created.id}/declaration`, {
      token: company.token,
      body: declaration({ goods: [{ ...RUBBER, netWeightKg: 19500 }], priority: { reason: 'PERISHABLE' } }),
    });
    expect(resubmitted.status).toBe(200);
    expect(await attributesOf(created.id)).toEqual({ status: 'IN_PROGRESS', gate: 'HUU_NGHI', category: 'PRIORITY', step: undefined });
    expect(await upsertsOf(created.id)).toHaveLength(2);
  });

  it('answer 503 naming what to do, starting nothing, where the namespace lacks them', async () => {
    // A namespace of the test's own Temporal server that no worker has added the attributes to.
    const namespace = `bare-${randomUUID().slice(0, 8)}`;
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    const crossings = new CrossingClient(new Client({ connection, namespace }), 'nobody-polls', 10_000);
    const actor = { accountId: randomUUID(), role: 'DECLARANT' as const };
    const key = randomUUID();
    let failure: unknown;
    // A new namespace takes a moment to be known to every part of the server.
    for (let attempt = 0; attempt < 50; attempt++) {
      failure = await crossings.start(DeclarationSchema.parse(declaration()), actor, key).then(
        () => undefined,
        (err: unknown) => err,
      );
      if (failure instanceof Misconfigured) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(failure).toBeInstanceOf(Misconfigured);
    const problem = toApiError(failure);
    expect(problem.status).toBe(503);
    expect(problem.detail).toMatch(/refuses the crossing search attributes/);
    expect(problem.extra).toMatchObject({ dependency: 'temporal', outcome: 'NOT_CHANGED' });
    // The crossing the key names was not started (describe reads the server's own record, not its visibility store).
    const handle = new Client({ connection, namespace }).workflow.getHandle(`crossing-${idempotentUuid(actor.accountId, key)}`);
    await expect(handle.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});
