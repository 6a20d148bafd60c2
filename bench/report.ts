import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../infra/launch-system';

/** Writes a run's result to bench/results/ as JSON and markdown (git keeps only latest.md, the figures of record). */
export function writeResult(result: Record<string, any>, when: string): string {
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = when.replace(/[:.]/g, '-');
  const markdown = toMarkdown(result);
  fs.writeFileSync(path.join(dir, `${stamp}.json`), JSON.stringify(result, null, 2));
  fs.writeFileSync(path.join(dir, `${stamp}.md`), markdown);
  return markdown;
}

function toMarkdown(r: Record<string, any>): string {
  const loads = `Load average (1/5/15 min) at the start ${r.loadAverageAtStart?.join(' / ')}, at the end ${r.loadAverageAtEnd?.join(' / ')}.`;
  const scale = `${r.processes?.workers ?? 1} worker and ${r.processes?.apis ?? 1} API process(es)`;
  if (r.mode === 'open-loop') return `# Open loop ${r.when}\n\n${r.machine}. ${scale}. ${loads}\n\n${openLoopSection(r)}`;
  if (r.mode === 'sweep') return sweepMarkdown(r, `${r.machine}. ${scale}. ${loads}`);
  if (r.mode === 'soak') return soakMarkdown(r, `${r.machine}. ${scale}. ${loads}`);
  if (r.mode === 'reads') return readsMarkdown(r, `${r.machine}. ${scale}. ${loads}`);
  if (r.mode === 'hold') {
    return `# Hold ${r.open} open crossings (${r.when})\n\n${r.machine}\n\nWorker RSS ${r.workerRssBeforeMb} → ${r.workerRssAfterMb} MB: ${r.workerKbPerOpenCrossing} kB per open crossing. List p50/p95/p99: ${r.listLatencyMs.p50}/${r.listLatencyMs.p95}/${r.listLatencyMs.p99} ms.\n`;
  }
  const rows = Object.entries(r.latencyMs as Record<string, { count: number; p50: number; p95: number; p99: number }>)
    .map(([k, v]) => `| ${k} | ${v.count} | ${v.p50} | ${v.p95} | ${v.p99} |`)
    .join('\n');
  return `# Benchmark ${r.when}

${r.machine}. ${r.options.crossings} crossings, ${r.options.concurrency} in flight.

| | per second |
|---|---|
| crossings (ours, through the API) | ${r.crossingsPerSecond} |
| baseline (bare workflow, same Updates: ${r.updatesPerCrossing}) | ${r.baselinePerSecond} |
| ratio | ${r.ratioToBaseline} |

| call | count | p50 ms | p95 ms | p99 ms |
|---|---|---|---|---|
${rows}
| decision → visible in list | ${r.decisionToListVisibleMs.count} | ${r.decisionToListVisibleMs.p50} | ${r.decisionToListVisibleMs.p95} | ${r.decisionToListVisibleMs.p99} |
${gateEvents(r.gateEvents)}${webhooks(r.webhooks)}
CPU per crossing (ms), ours: ${JSON.stringify(r.cpuMsPerCrossing)}; baseline: ${JSON.stringify(r.baselineCpuMsPerCrossing)}.

Errors: ${JSON.stringify(r.errors)}. Peak RSS (MB): ${JSON.stringify(r.peakRssMb)}. Workflow-task schedule-to-start (mean): ${r.workflowTaskScheduleToStartMeanMs} ms.
`;
}

/** The gate-event section: latency of `POST /v1/gate-events` under the closed loop, against the team's goal. */
function gateEvents(g: Record<string, any> | null | undefined): string {
  if (!g) return '';
  const l = g.latencyMs;
  const answers = Object.entries(g.answers as Record<string, number>)
    .map(([action, n]) => `${action} ${n}`)
    .join(', ');
  const kinds = Object.entries((g.byKindMs ?? {}) as Record<string, { count: number; p50: number; p99: number }>)
    .map(([kind, v]) => `| ${kind} | ${v.count} | ${v.p50} | | ${v.p99} | | |`)
    .join('\n');
  return `
Gate events: ${g.count} signed reads to \`POST /v1/gate-events\` (${g.readsPerSecond}/s asked, ${g.achievedPerSecond}/s sent) by an entry
barrier and a yard-entry camera while the crossings ran; plates of crossings in flight, the same plate again within
seconds, resent events and unknown plates (${JSON.stringify(g.sent)}).

| gate-event call | count | p50 ms | p95 ms | p99 ms | max ms | goal p99 < ${g.goalP99Ms} ms |
|---|---|---|---|---|---|---|
| \`POST /v1/gate-events\` | ${g.count} | ${l.p50} | ${l.p95} | ${l.p99} | ${l.max} | ${g.p99UnderGoal ? 'met' : 'not met'} |
${kinds}

Answers: ${answers || 'none'}. Errors: ${JSON.stringify(g.errors)}. The CPU per crossing below includes the reads.
`;
}

/** The webhook section: subscribers attached while the decisions above were timed, and how fast events reached them. */
function webhooks(w: Record<string, any> | null | undefined): string {
  if (!w) return '';
  const l = w.eventToReceiptMs;
  return `
Webhooks: ${w.subscribers} live subscribers and ${w.deadSubscribers} that never answer, each to every crossing event of the
bench's declarant, attached while the calls above were timed. The live ones received ${w.unique} events (${w.received} requests);
from an event's time to its arrival p50 / p95 / p99 / max ${l.p50} / ${l.p95} / ${l.p99} / ${l.max} ms; ${w.undeliveredAtEnd}
still pending 30 s after the run.
`;
}

const ms = (l: { p50: number; p95: number; p99: number } | undefined) => (l ? `${l.p50} / ${l.p95} / ${l.p99}` : '–');

/** One open-loop run: rates, every call kind from its send and from when it was due, CPU, in flight. */
function openLoopSection(r: Record<string, any>): string {
  const rows = Object.entries(r.latencyMs as Record<string, any>)
    .map(([kind, l]) => `| ${kind} | ${l.count} | ${ms(l)} | ${l.max} | ${ms(l.sinceDue)} | ${l.sinceDue?.max ?? '–'} |`)
    .join('\n');
  const series = (r.inFlight.eachSecond as number[]).filter((_, i) => i % 5 === 0).join(' ');
  return `${r.started} crossings started at ${r.rate}/s asked (${r.achievedRate}/s achieved) for ${r.seconds} s; ${r.completed} cleared,
${r.failed} failed; ${r.completedPerSecond} cleared per second over ${r.totalSeconds} s (the drain after the last start included).

| call | count | p50 / p95 / p99 ms from send | max | p50 / p95 / p99 ms from due | max |
|---|---|---|---|---|---|
${rows}

CPU per crossing (ms): ${JSON.stringify(r.cpuMsPerCrossing)}. Errors: ${JSON.stringify(r.errors)}.
In flight: at most ${r.inFlight.max}; every 5 s: ${series}.
`;
}

/** The sweep's table, the closed-loop probe and the ratios to the bare engine. */
function sweepMarkdown(r: Record<string, any>, context: string): string {
  const p = (l: any, q: string) => (l ? l[q] : '–');
  const rows = (r.stages as any[])
    .map(
      (s) =>
        `| ${s.share * 100} % | ${s.rate} | ${s.achievedRate} | ${s.completedPerSecond} | ${p(s.latencyMs.decide, 'p50')} / ${p(s.latencyMs.decide, 'p99')} | ${p(s.latencyMs.decide?.sinceDue, 'p99')} | ${p(s.latencyMs.declare, 'p50')} / ${p(s.latencyMs.declare, 'p99')} | ${p(s.latencyMs.declare?.sinceDue, 'p99')} | ${Object.values(s.errors as Record<string, number>).reduce((a, b) => a + b, 0)} | ${s.cpuMsPerCrossing.total} | ${s.inFlight.max} |`,
    )
    .join('\n');
  const sat = r.saturation;
  return `# Sweep ${r.when}

${context}

Saturating rate: the closed loop at ${sat.options.concurrency} in flight carried ${sat.crossingsPerSecond} crossings/s (${sat.options.crossings}
crossings, decision p50/p99 ${p(sat.latencyMs.decide, 'p50')}/${p(sat.latencyMs.decide, 'p99')} ms, CPU ${sat.cpuMsPerCrossing.total} ms per crossing,
errors ${JSON.stringify(sat.errors)}). Each stage below starts crossings for ${r.options.stageSeconds} s on a fixed schedule.

| share | rate /s | achieved /s | cleared /s | decision p50 / p99 ms | decision p99 from due | declaration p50 / p99 ms | declaration p99 from due | errors | CPU ms / crossing | max in flight |
|---|---|---|---|---|---|---|---|---|---|---|
${rows}

Bare engine (baseline.ts, ${sat.options.crossings} workflows of ${sat.updatesPerCrossing} Updates, ${sat.options.concurrency} in flight): ${r.baseline.perSecond}/s,
CPU ${r.baseline.cpuMsPerCrossing.total} ms per workflow.

| ratio (ours / bare engine) | value | target |
|---|---|---|
| throughput at saturation | ${r.throughputRatio} | ≥ 0.6 (goal 0.8) |
| CPU per crossing, at saturation | ${r.cpuRatioAtSaturation} | ≤ 1.9 (goal 1.25) |
| CPU per crossing, at 50 % | ${r.cpuRatioAt50} | |

CPU per crossing by process at saturation: ${JSON.stringify(sat.cpuMsPerCrossing)}; bare engine: ${JSON.stringify(r.baseline.cpuMsPerCrossing)}.
`;
}

/** The soak, minute by minute, and the RSS slope per process. */
function soakMarkdown(r: Record<string, any>, context: string): string {
  const names = Object.keys(r.minutes[0]?.rssMb ?? {});
  const rows = (r.minutes as any[])
    .map(
      (m) =>
        `| ${m.minute} | ${names.map((n) => m.rssMb[n] ?? '–').join(' | ')} | ${m.decision.p50} / ${m.decision.p99} (${m.decision.count}) | ${m.declaration.p50} / ${m.declaration.p99} | ${m.errors} |`,
    )
    .join('\n');
  const slope = r.rssSlopeMbPerMinute;
  return `# Soak ${r.when}

${context}

${r.totals.started} crossings at ${r.rate}/s over ${r.minutes.length} minutes; ${r.totals.completed} cleared, ${r.totals.failed} failed.

| minute | ${names.map((n) => `${n} RSS MB`).join(' | ')} | decision p50 / p99 ms (count) | declaration p50 / p99 ms | errors |
|---|${names.map(() => '---|').join('')}---|---|---|
${rows}

RSS slope, least squares from minute ${slope.fromMinute} to ${slope.toMinute}, MB per minute (target < 1): ${names.map((n) => `${n} ${slope[n]}`).join(', ')}.
Whole soak: decision ${ms(r.latencyMs.decide)} ms; CPU per crossing ${JSON.stringify(r.totals.cpuMsPerCrossing)}; errors ${JSON.stringify(r.totals.errors)}.
`;
}

/** Reads of held crossings, and what the Temporal server served meanwhile. */
function readsMarkdown(r: Record<string, any>, context: string): string {
  const g = r.reads;
  return `# Reads against ${g.open} open crossings ${r.when}

${context}

\`GET /v1/crossings/{id}\` of a random open crossing at ${g.rate}/s asked (${g.achievedRate}/s achieved) for ${g.seconds} s, by ${g.readers} accounts in turn.

| | count | p50 / p95 / p99 ms | max ms |
|---|---|---|---|
| from send | ${g.latencyMs.count} | ${ms(g.latencyMs)} | ${g.latencyMs.max} |
| from due | ${g.sinceDueMs.count} | ${ms(g.sinceDueMs)} | ${g.sinceDueMs.max} |

Errors: ${JSON.stringify(g.errors)}. At most ${g.maxInFlight} in flight.
CPU per read, µs by process (the window and its drain): ${JSON.stringify(g.cpuUsPerRead)}.
Workflow queries the Temporal server served meanwhile (its QueryWorkflow count): ${g.workflowQueries ?? 'not counted (no metrics found)'};
one \`?consistent=true\` read afterwards counted as ${g.calibrationQueries} (so the count sees queries).
All its requests meanwhile, polls left out: ${JSON.stringify(g.temporalRequests)}.
Opening them: ${JSON.stringify(r.hold)}.
`;
}
