import fs from 'node:fs';
import path from 'node:path';
import { encodeUnifiedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { EncryptionCodec } from '../infra/payload-codec';
import { workflowSpanSinks } from '../infra/tracing';
import { REPLAY_PAYLOAD_KEYS } from './replay/keys';
import { system } from './system/client';
import { searchAttributePairs } from '../workflows/search-attributes';

/**
 * Crossings run for days while new versions of the workflow are deployed. Real histories of every path a crossing can
 * take (recorded by `npm run replay:capture`) are replayed against today's workflow code, bundled for this run: a
 * change that would make a running crossing's replay diverge fails here, and must use `patched()` (or say why the old
 * histories may go, and capture new ones).
 */
const DIR = path.join(__dirname, 'replay', 'histories');

/**
 * Histories are kept in sets, one folder per capture (named by its date), and no set is ever replaced: each holds
 * crossings as an earlier version of the workflow ran them, which today's code must still replay.
 */
const SETS = fs
  .readdirSync(DIR)
  .filter((f) => fs.statSync(path.join(DIR, f)).isDirectory())
  .sort();

/** Replays histories with today's bundle; what each one that diverged failed with. */
async function replayFailures(histories: { workflowId: string; history: temporal.api.history.v1.IHistory }[]): Promise<string[]> {
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories(
    {
      workflowBundle: { codePath: system().bundlePath },
      dataConverter: { payloadCodecs: [EncryptionCodec.parse(REPLAY_PAYLOAD_KEYS)] },
      sinks: workflowSpanSinks(),
    },
    histories,
  )) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  return failures;
}

describe('replaying recorded crossings against today’s workflow code', () => {
  const files = SETS.flatMap((set) =>
    fs
      .readdirSync(path.join(DIR, set))
      .filter((f) => f.endsWith('.binpb'))
      .map((f) => path.join(set, f)),
  );

  /** The paths every set holds, and those a later version added, with the first set that has them. */
  const PATHS = [
    'cancelled-after-payment',
    'cleared',
    'denied-with-compensation',
    'incident-and-retry',
    'overdue-then-expired',
    'paid-online',
    'policy-re-armed',
    'returned-and-resubmitted',
    'transshipment-with-quarantine',
  ];
  const ADDED: Record<string, string> = {
    'gate-floor': '2026-12-01',
    queue: '2026-12-01',
    'queue-dispatcher': '2026-12-01',
    tracking: '2026-12-01',
    webhooks: '2026-12-01',
    'webhook-delivery': '2026-12-01',
  };

  it.each(SETS)('has, in set %s, a recorded history for every path a crossing could take then', (set) => {
    const names = files.filter((f) => f.startsWith(`${set}${path.sep}`)).map((f) => path.basename(f, '.binpb'));
    const expected = [...PATHS, ...Object.keys(ADDED).filter((name) => ADDED[name] <= set)];
    expect(names.sort()).toEqual(expected.sort());
  });

  it('replays each without non-determinism', async () => {
    const histories = files.map((f) => ({
      workflowId: f,
      history: temporal.api.history.v1.History.decode(fs.readFileSync(path.join(DIR, f))),
    }));
    expect(await replayFailures(histories)).toEqual([]);
  }, 120_000);

  /**
   * During a rolling deploy a new API's start (search attributes set with it) can be run by an old worker, which upserts
   * at every step and records no 'coarse-search-attributes' marker. A new worker must replay that the old way. No such
   * history was captured (no old worker runs beside a new API here), so the 2026-12-02 set, recorded by old workers, is
   * replayed with the attributes added to each crossing's start.
   */
  it('replays crossings an old worker ran for an API that set the search attributes at the start', async () => {
    const set = '2026-12-02';
    const attributes = encodeUnifiedSearchAttributes(
      undefined,
      searchAttributePairs({ status: 'IN_PROGRESS', gate: 'HUU_NGHI', category: 'EXPORT' }),
    );
    const histories = files
      .filter((f) => f.startsWith(`${set}${path.sep}`))
      .map((f) => ({ workflowId: f, history: temporal.api.history.v1.History.decode(fs.readFileSync(path.join(DIR, f))) }))
      .filter(({ history }) => history.events[0].workflowExecutionStartedEventAttributes?.workflowType?.name === 'crossingWorkflow');
    expect(histories.length).toBeGreaterThanOrEqual(PATHS.length);
    for (const { history } of histories) {
      const started = history.events[0].workflowExecutionStartedEventAttributes!;
      expect(started.searchAttributes?.indexedFields ?? {}).toEqual({});
      started.searchAttributes = { indexedFields: attributes };
    }
    expect(await replayFailures(histories)).toEqual([]);
  }, 120_000);
});
