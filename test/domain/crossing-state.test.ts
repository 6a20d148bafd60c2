import type { Actor } from '../../domain/crossing-view';
import { DeclarationSchema, type Declaration } from '../../domain/declaration';
import { POLICIES_TO_COME, withOutcomes } from '../../domain/crossing-work';
import { CrossingState, Rejection, type Effect } from '../../workflows/crossing-state';
import { declaration } from '../system/fixtures';

const declarant: Actor = { accountId: 'declarant-1', role: 'DECLARANT' };
const health: Actor = { accountId: 'health-1', role: 'HEALTH_OFFICER' };
const guard: Actor = { accountId: 'guard-1', role: 'BORDER_GUARD' };
const customs: Actor = { accountId: 'customs-1', role: 'CUSTOMS_OFFICER' };
const policy = { slaMs: 60_000, expireAfterMs: 600_000, version: 1 };
const t = (seconds: number) => new Date(Date.UTC(2026, 10, 23, 8, 0, seconds));
const form = (overrides: Partial<Declaration> = {}): Declaration => DeclarationSchema.parse(declaration(overrides));

function started(overrides: Partial<Declaration> = {}): CrossingState {
  const crossing = new CrossingState({ crossingId: 'c-1', declarantAccountId: declarant.accountId });
  crossing.submitDeclaration(form(overrides), declarant, t(0));
  crossing.armDeadlines('health-check', policy, t(0));
  return crossing;
}

describe('the crossing rules, without a server', () => {
  it('opens the health check with deadlines counted from when it started', () => {
    const crossing = started();
    expect(crossing.current?.step).toBe('health-check');
    expect(crossing.view().steps[1]).toMatchObject({ status: 'WAITING', slaAt: t(60).toISOString(), expiresAt: t(600).toISOString() });
    expect(crossing.nextDeadline()).toBe(t(60).getTime());
  });

  it('refuses a decision by the wrong role, out of order, or twice, changing nothing', () => {
    const crossing = started();
    const before = JSON.stringify(crossing.view());
    expect(() => crossing.decide('health-check', { outcome: 'APPROVE' }, guard, t(1))).toThrow(
      /decided by HEALTH_OFFICER, not BORDER_GUARD/,
    );
    expect(() => crossing.decide('border-entry', { outcome: 'APPROVE' }, guard, t(1))).toThrow(
      /waiting at health-check for HEALTH_OFFICER/,
    );
    expect(JSON.stringify(crossing.view())).toBe(before);
    crossing.decide('health-check', { outcome: 'APPROVE' }, health, t(2));
    expect(() => crossing.decide('health-check', { outcome: 'APPROVE' }, health, t(3))).toThrow(Rejection);
    expect(() => crossing.decide('health-check', { outcome: 'APPROVE' }, health, t(3))).toThrow(/already APPROVED/);
  });

  it('goes OVERDUE at the SLA with one escalation, then EXPIRED at expireAfter', () => {
    const crossing = started();
    expect(crossing.fireDeadlines(t(59))).toEqual([]);
    expect(crossing.fireDeadlines(t(60))).toEqual([{ kind: 'ESCALATE_OVERDUE', step: 'health-check', slaAt: t(60).toISOString() }]);
    expect(crossing.current?.status).toBe('OVERDUE');
    expect(crossing.nextDeadline()).toBe(t(600).getTime());
    crossing.fireDeadlines(t(600));
    expect(crossing.status).toBe('EXPIRED');
    expect(crossing.current).toBeUndefined();
  });

  it('re-arms from the step start: a longer SLA lifts OVERDUE, a shorter one is already past', () => {
    const crossing = started();
    crossing.fireDeadlines(t(60));
    crossing.armDeadlines('health-check', { slaMs: 120_000, expireAfterMs: 600_000, version: 2 }, t(70), 'POLICY_CHANGED');
    expect(crossing.current?.status).toBe('WAITING');
    expect(crossing.nextDeadline()).toBe(t(120).getTime());
    crossing.armDeadlines('health-check', { slaMs: 10_000, expireAfterMs: 50_000, version: 3 }, t(80), 'POLICY_CHANGED');
    expect(crossing.nextDeadline()).toBeLessThan(t(80).getTime());
  });

  it('undoes a denied crossing newest first: turn-back order, then the yard place', () => {
    const crossing = started();
    crossing.decide('health-check', { outcome: 'APPROVE' }, health, t(1));
    expect(crossing.decide('border-entry', { outcome: 'APPROVE' }, guard, t(2))).toEqual([{ kind: 'RESERVE_YARD_PLACE' }]);
    crossing.armDeadlines('quarantine', policy, t(2));
    crossing.decide('quarantine', { outcome: 'DENY', reason: 'pests found' }, { accountId: 'q-1', role: 'QUARANTINE_OFFICER' }, t(3));
    expect(crossing.pendingUndos()).toEqual(['ISSUE_TURN_BACK_ORDER', 'RELEASE_YARD_PLACE']);
    crossing.recordCompensation('ISSUE_TURN_BACK_ORDER', t(4));
    // A crash here resumes with what is left.
    expect(crossing.pendingUndos()).toEqual(['RELEASE_YARD_PLACE']);
    crossing.recordCompensation('RELEASE_YARD_PLACE', t(5));
    expect(crossing.pendingUndos()).toEqual([]);
    expect(crossing.view().steps.find((s) => s.step === 'border-entry')?.status).toBe('COMPENSATED');
  });

  it('re-evaluates steps not yet reached when a returned form is resubmitted, keeping earlier approvals', () => {
    const rubber = { hsCode: '40012200', description: 'Rubber', quantity: 1, unit: 'PALLET', netWeightKg: 1000, valueUsd: 1, origin: 'VN' };
    const crossing = started({ goods: [rubber] });
    expect(crossing.view().steps.find((s) => s.step === 'quarantine')?.status).toBe('SKIPPED');
    crossing.decide(
      'health-check',
      { outcome: 'RETURN', reason: 'wrong goods', fields: [{ path: 'goods.0', message: 'fruit, not rubber' }] },
      health,
      t(1),
    );
    expect(crossing.status).toBe('AWAITING_CORRECTION');
    expect(() => crossing.decide('health-check', { outcome: 'APPROVE' }, health, t(2))).toThrow(
      /correct the form returned at health-check/,
    );
    crossing.resubmitDeclaration(form(), declarant, t(3));
    expect(crossing.view()).toMatchObject({ status: 'IN_PROGRESS', declarationVersion: 2, currentStep: 'health-check' });
    expect(crossing.view().steps.find((s) => s.step === 'quarantine')?.status).toBe('PENDING');
    expect(crossing.returns[0].changed).toEqual(expect.arrayContaining(['goods.0.hsCode', 'goods.0.description']));
    expect(() => crossing.resubmitDeclaration(form({ gate: 'KIM_THANH' }), declarant, t(4))).toThrow(Rejection);
  });

  it('waits at transshipment for registration, then customs, then the yard', () => {
    const crossing = started({ transshipment: true });
    crossing.decide('health-check', { outcome: 'APPROVE' }, health, t(1));
    crossing.decide('border-entry', { outcome: 'APPROVE' }, guard, t(2));
    crossing.decide('quarantine', { outcome: 'APPROVE' }, { accountId: 'q', role: 'QUARANTINE_OFFICER' }, t(3));
    expect(crossing.describeWait()).toBe('waiting at transshipment for the declarant to register the transfer');
    expect(() => crossing.decide('transshipment', { outcome: 'APPROVE' }, customs, t(4))).toThrow(Rejection);
    crossing.registerTransshipment('HN-Y1', { plate: '桂A54321', country: 'CN' }, declarant, t(5));
    crossing.decide('transshipment', { outcome: 'APPROVE' }, customs, t(6));
    expect(crossing.describeWait()).toBe("waiting at transshipment for the yard operator's confirmation");
    crossing.completeTransshipment(undefined, { accountId: 'y', role: 'YARD_OPERATOR' }, t(7));
    expect(crossing.current?.step).toBe('customs-inspection');
    expect(crossing.undoStack).toEqual(['RELEASE_YARD_PLACE', 'ISSUE_TURN_BACK_ORDER', 'CANCEL_TRANSSHIPMENT_BOOKING']);
  });

  it('writes, before the work is done, the view it has once done: the yard place and the invoice put in as learned', () => {
    const rubber = { hsCode: '40012200', description: 'Rubber', quantity: 1, unit: 'PALLET', netWeightKg: 1000, valueUsd: 1, origin: 'VN' };
    const crossing = started({ goods: [rubber] });
    crossing.queue(crossing.decide('health-check', { outcome: 'APPROVE' }, health, t(1)));
    crossing.workDone(crossing.pendingWork().length);
    crossing.eventsRecorded(crossing.unrecordedEvents().length);
    const outcomes = { yardCode: 'HN-Y2', invoice: { amountVnd: 250_000, collector: 'TAX_AUTHORITY' as const } };
    // Border entry reserves a place; the next step here is customs, whose approval opens the fee (the invoice).
    crossing.queue(crossing.decide('border-entry', { outcome: 'APPROVE' }, guard, t(2)));
    crossing.workDone(crossing.pendingWork().length);
    crossing.queue(crossing.decide('customs-inspection', { outcome: 'APPROVE' }, customs, t(3)));
    const work: Effect[] = [{ kind: 'RESERVE_YARD_PLACE' }, ...crossing.pendingWork()];
    expect(work.map((e) => e.kind)).toEqual(['RESERVE_YARD_PLACE', 'ISSUE_INVOICE', 'ARM_DEADLINES', 'PUBLISH']);
    const policyOf = () => policy;
    const preview = crossing.preview();
    for (const effect of work) preview.carriedOut(effect, {}, t(4), policyOf);
    const written = withOutcomes(
      { view: preview.view(), events: preview.unrecordedEvents(), declarantAccountId: 'd', submission: { by: 'd', at: '' } },
      outcomes,
    );
    expect(crossing.fee).toBeNull(); // the preview left the crossing as it was
    for (const effect of work) crossing.carriedOut(effect, outcomes, t(4), policyOf);
    expect(written.view).toEqual(crossing.view());
    expect(written.events).toEqual(crossing.unrecordedEvents());
    expect(crossing.view()).toMatchObject({ yardCode: 'HN-Y2', fee: { amountVnd: 250_000, collector: 'TAX_AUTHORITY', status: 'DUE' } });
  });

  it('arms its first step, in the view written, by the policies the same call reads', () => {
    const crossing = new CrossingState({ crossingId: 'c-2', declarantAccountId: declarant.accountId });
    crossing.queue(crossing.submitDeclaration(form(), declarant, t(0)));
    const work = crossing.pendingWork();
    expect(work.map((e) => e.kind)).toEqual(['ARM_DEADLINES', 'PUBLISH']);
    const preview = crossing.preview();
    for (const effect of work) preview.carriedOut(effect, {}, t(0), () => POLICIES_TO_COME);
    const snapshot = { view: preview.view(), events: preview.unrecordedEvents(), declarantAccountId: 'd', submission: { by: 'd', at: '' } };
    const policies = { category: crossing.category!, stamp: '1', steps: { 'health-check': policy } };
    const written = withOutcomes(snapshot, { policies, armed: 'health-check' });
    for (const effect of work) crossing.carriedOut(effect, {}, t(0), () => policy);
    expect(written.view).toEqual(crossing.view());
    expect(written.events).toEqual(crossing.unrecordedEvents());
    expect(crossing.view().steps[1]).toMatchObject({ slaAt: t(60).toISOString(), expiresAt: t(600).toISOString() });
  });
});
