import { CorridorMap } from '../domain/corridor-geometry';
import { advise, FLOW_WINDOW_MS, flowStatus, type Advisory, type SegmentFlow } from '../domain/tracking';
import type { Services } from '../infra/db/orm';
import type { GateApproach } from '../infra/db/stores/gates';
import type { Logger } from '../infra/logger';

/** Points older than the retention go this often (and at the worker's start). */
const RETENTION_EVERY_MS = 10 * 60_000;

/**
 * The flow on every gate's approach, recomputed every `flowEveryMs` (API.md: at least every 30 s), and the deletion of
 * positions past TRACK_RETENTION. Each round is one aggregate per gate over the latest fix of each truck, so its cost
 * follows the trucks en route, not the points they sent. Two workers computing the same gate write the same rows: the
 * last write wins and both are right, so no lock is taken.
 */
export function startTrafficKeeper(services: Services, opts: { flowEveryMs: number; retentionMs: number; log: Logger }) {
  let stopped = false;
  let running = false;
  const flowRound = async () => {
    if (running) return;
    running = true;
    try {
      const stores = services.stores();
      for (const approach of await stores.gates.approaches()) {
        if (approach.corridor.length) await computeGateFlow(services, approach);
      }
      // A gate whose corridor was taken away keeps no reckoning (its last advisory would otherwise stand for ever).
      await stores.traffic.forgetFlowWithoutCorridor();
    } catch (err) {
      if (!stopped) opts.log.warn({ error: String(err) }, 'could not compute the traffic flow; trying again shortly');
    } finally {
      running = false;
    }
  };
  const retentionRound = async () => {
    try {
      const deleted = await services.stores().tracking.deleteOlderThan(opts.retentionMs);
      if (deleted) opts.log.info({ deleted }, 'deleted positions past their retention');
    } catch (err) {
      if (!stopped) opts.log.warn({ error: String(err) }, 'could not delete old positions; trying again later');
    }
  };
  void flowRound();
  void retentionRound();
  const timers = [setInterval(() => void flowRound(), opts.flowEveryMs), setInterval(() => void retentionRound(), RETENTION_EVERY_MS)];
  for (const timer of timers) timer.unref();
  return {
    stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
    },
  };
}

/** One gate's flow per segment and its advisory, computed now and written for the API to read. */
export async function computeGateFlow(
  services: Services,
  approach: GateApproach,
  now = new Date(),
): Promise<{ segments: SegmentFlow[]; advisory: Advisory }> {
  const stores = services.stores();
  const map = new CorridorMap(approach.corridor, approach.holdingAreas);
  const [counts, [gate], nextCallAt] = await Promise.all([
    stores.traffic.segmentCounts(approach.gate, FLOW_WINDOW_MS),
    stores.gates.list(approach.gate),
    stores.queue.nextCallAt(approach.gate),
  ]);
  const segments = [...approach.corridor]
    .sort((a, b) => a.order - b.order)
    .map((s): SegmentFlow => {
      const count = counts.get(s.code) ?? { trucks: 0, meanSpeedKmh: null };
      return {
        code: s.code,
        name: s.name,
        order: s.order,
        ...count,
        status: flowStatus({ ...count, lengthKm: map.lengthKm(s.code) }, approach.thresholds),
      };
    });
  const advisory = advise({ segments, yards: gate?.yards ?? [], holdingAreas: approach.holdingAreas, nextCallAt });
  await stores.traffic.writeFlow(approach.gate, segments, advisory, now);
  return { segments, advisory };
}
