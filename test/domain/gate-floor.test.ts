import { barrierAnswer, confusionKey, matchRead, withinClockWindow, type CrossingAtBarrier } from '../../domain/gate-floor';
import { normalisePlate } from '../../domain/identifiers';

const open = (plate: string, crossingId = plate) => ({ crossingId, plate: normalisePlate(plate) });

describe('plate reads', () => {
  it('are normalised in Vietnamese and Chinese forms', () => {
    expect(normalisePlate('29c 123.45')).toBe('29C12345');
    expect(normalisePlate('２９Ｃ－１２３．４５')).toBe('29C12345');
    expect(normalisePlate('桂A·12345')).toBe('桂A12345');
    expect(normalisePlate('云 A-D1234')).toBe('云AD1234');
  });

  it('fold only O/0, I/1 and B/8 for a proposed match', () => {
    expect(confusionKey('29B-1O1.I5')).toBe('29810115');
    expect(confusionKey('29C12345')).toBe('29C12345');
  });

  it('match one exact plate above the threshold', () => {
    expect(matchRead({ plate: '29C-123.45', confidence: 0.9 }, 0.8, [open('29C12345', 'a')])).toEqual({
      match: 'MATCHED',
      crossingId: 'a',
    });
  });

  it('are unmatched below the threshold even when exact', () => {
    expect(matchRead({ plate: '29C12345', confidence: 0.79 }, 0.8, [open('29C12345')]).match).toBe('UNMATCHED');
  });

  it('are doubtful when only a confusion matches, unmatched when several do or none', () => {
    expect(matchRead({ plate: '29812345', confidence: 0.95 }, 0.8, [open('29B12345', 'b')])).toMatchObject({
      match: 'DOUBTFUL',
      crossingId: 'b',
    });
    expect(matchRead({ plate: '29812345', confidence: 0.95 }, 0.8, [open('29B12345', 'b'), open('298I2345', 'c')]).match).toBe('UNMATCHED');
    expect(matchRead({ plate: '29C12345', confidence: 0.95 }, 0.8, [open('29C12345', 'a'), open('29C12345', 'b')])).toMatchObject({
      match: 'UNMATCHED',
      reason: expect.stringContaining('2 open crossings'),
    });
    expect(matchRead({ plate: '29C12345', confidence: 0.95 }, 0.8, []).match).toBe('UNMATCHED');
  });

  it('are believed within 5 minutes of the server clock only', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(withinClockWindow('2026-12-01T16:55:00+07:00', now)).toBe(true);
    expect(withinClockWindow('2026-12-01T09:54:59Z', now)).toBe(false);
    expect(withinClockWindow('2026-12-01T10:05:01Z', now)).toBe(false);
  });
});

describe('a barrier', () => {
  const crossing = (
    status: CrossingAtBarrier['status'],
    entry: string,
    currentStep: CrossingAtBarrier['currentStep'],
  ): CrossingAtBarrier => ({
    status,
    currentStep,
    steps: [
      { step: 'health-check', status: entry === 'APPROVED' ? 'APPROVED' : 'WAITING' },
      { step: 'border-entry', status: entry },
      { step: 'customs-inspection', status: 'PENDING' },
    ],
    transshipmentStage: undefined,
  });
  const matched = { match: 'MATCHED' as const, crossingId: 'a' };

  it('at the entry opens only once border-entry is approved', () => {
    expect(barrierAnswer('BARRIER_ENTRY', 'BARRIER', matched, crossing('IN_PROGRESS', 'PENDING', 'health-check'))).toEqual({
      action: 'HOLD',
      reason: 'Border entry is not approved yet: the crossing is waiting at health-check for HEALTH_OFFICER.',
    });
    expect(barrierAnswer('BARRIER_ENTRY', 'BARRIER', matched, crossing('IN_PROGRESS', 'APPROVED', 'customs-inspection')).action).toBe(
      'OPEN',
    );
    expect(barrierAnswer('BARRIER_ENTRY', 'BARRIER', matched, crossing('CANCELLED', 'APPROVED', null)).action).toBe('HOLD');
  });

  it('at the exit opens only for a cleared crossing', () => {
    expect(barrierAnswer('BARRIER_EXIT', 'BARRIER', matched, crossing('IN_PROGRESS', 'APPROVED', 'customs-inspection')).action).toBe(
      'HOLD',
    );
    expect(barrierAnswer('BARRIER_EXIT', 'BARRIER', matched, crossing('CLEARED', 'APPROVED', null)).action).toBe('OPEN');
  });

  it('at a yard exit lets a cleared truck out', () => {
    expect(barrierAnswer('YARD_EXIT', 'BARRIER', matched, crossing('CLEARED', 'APPROVED', null)).action).toBe('OPEN');
    expect(barrierAnswer('YARD_ENTRY', 'BARRIER', matched, crossing('CLEARED', 'APPROVED', null)).action).toBe('HOLD');
  });

  it('never opens for a doubtful or unmatched read; a camera does nothing', () => {
    const doubtful = { match: 'DOUBTFUL' as const, crossingId: 'a', reason: 'Only by a confusion' };
    expect(barrierAnswer('BARRIER_ENTRY', 'BARRIER', doubtful, crossing('IN_PROGRESS', 'APPROVED', 'customs-inspection')).action).toBe(
      'HOLD',
    );
    expect(barrierAnswer('YARD_ENTRY', 'CAMERA', matched, crossing('IN_PROGRESS', 'APPROVED', 'customs-inspection')).action).toBe('NONE');
  });
});
