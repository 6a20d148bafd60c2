import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../infra/launch-system';

/** Writes a run's result to bench/results/ as JSON and markdown (git keeps only latest.md, the figures of record). */
export function writeResult(result: Record<string, any>, when: string): void {
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = when.replace(/[:.]/g, '-');
  fs.writeFileSync(path.join(dir, `${stamp}.json`), JSON.stringify(result, null, 2));
  fs.writeFileSync(path.join(dir, `${stamp}.md`), toMarkdown(result));
}

function toMarkdown(r: Record<string, any>): string {
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
