import { declaration } from '../system/fixtures';
import { crossingDataFor, nextAttemptDelayMs, partnerViewOf, webhookEventOf } from '../../domain/webhooks';
import { eventIdOf } from '../../infra/db/stores/webhooks';
import type { CrossingView } from '../../domain/crossing-view';

const view = {
  id: '5b0c8a4e-1f0e-4a53-9d0e-3f6f4c1a2b3c',
  gate: 'HUU_NGHI',
  direction: 'EXPORT',
  category: 'GENERAL',
  status: 'IN_PROGRESS',
  currentStep: 'border-entry',
  steps: [
    { step: 'health-check', status: 'APPROVED', startedAt: '2026-12-01T01:00:00Z', decidedAt: '2026-12-01T01:05:00Z', decidedBy: 'acc-1' },
    { step: 'border-entry', status: 'WAITING', startedAt: '2026-12-01T01:05:00Z' },
  ],
  declarationVersion: 1,
  declaration: { ...declaration(), category: 'GENERAL' },
  returns: [{ step: 'health-check', reason: 'Temperature', fields: [], at: '2026-12-01T01:01:00Z' }],
  compensations: [],
  documents: [],
  customsChannel: 'RED',
  arrivals: [],
  createdAt: '2026-12-01T01:00:00Z',
  updatedAt: '2026-12-01T01:05:00Z',
} as unknown as CrossingView;

describe('events out, as rules', () => {
  it('sends the history lines API.md names, and no other', () => {
    expect(
      ['DECLARATION_SUBMITTED', 'STEP_STARTED', 'DECISION', 'RETURNED', 'ENDED', 'QUEUE_CALLED', 'QUEUE_NO_SHOW'].map((type) =>
        webhookEventOf({ type }),
      ),
    ).toEqual([
      'crossing.declared',
      'crossing.step_waiting',
      'crossing.decided',
      'crossing.returned',
      'crossing.ended',
      'queue.called',
      'queue.no_show',
    ]);
    for (const type of ['DEADLINES_ARMED', 'ARRIVED', 'APPROACHING', 'PAYMENT', 'COMPENSATION', 'INCIDENT', 'CUSTOMS_CHANNEL_SET']) {
      expect(webhookEventOf({ type })).toBeUndefined();
    }
  });

  it('shows a partner authority where the truck stands and since when, nothing of its papers, driver, company or who decided', () => {
    const seen = partnerViewOf(view);
    expect(seen).toEqual({
      id: view.id,
      gate: 'HUU_NGHI',
      plate: '12C-123.45',
      direction: 'EXPORT',
      status: 'IN_PROGRESS',
      currentStep: 'border-entry',
      steps: [
        { step: 'health-check', status: 'APPROVED', startedAt: '2026-12-01T01:00:00Z', decidedAt: '2026-12-01T01:05:00Z' },
        { step: 'border-entry', status: 'WAITING', startedAt: '2026-12-01T01:05:00Z', decidedAt: null },
      ],
      createdAt: '2026-12-01T01:00:00Z',
      updatedAt: '2026-12-01T01:05:00Z',
    });
    expect(crossingDataFor('PARTNER', view)).toEqual(seen);
    // Everyone else gets the API's own view of their role.
    expect((crossingDataFor('HEALTH_OFFICER', view) as CrossingView).declaration.driver?.fullName).toBe('Nguyen Van A');
    expect((crossingDataFor('HEALTH_OFFICER', view) as CrossingView).declaration.goods).toBeUndefined();
  });

  it('tries a failing receiver again after 1 s, 2 s, 4 s … and never more than an hour apart', () => {
    expect([1, 2, 3, 4, 5].map(nextAttemptDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(nextAttemptDelayMs(13)).toBe(3_600_000);
    expect(nextAttemptDelayMs(40)).toBe(3_600_000);
  });

  it('gives an event the same id on every write, a UUID, and another event another id', () => {
    const a = eventIdOf(`crossing:${view.id}:3`);
    expect(a).toBe(eventIdOf(`crossing:${view.id}:3`));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventIdOf(`crossing:${view.id}:4`)).not.toBe(a);
  });
});
