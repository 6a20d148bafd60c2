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

CPU per crossing (ms), ours: ${JSON.stringify(r.cpuMsPerCrossing)}; baseline: ${JSON.stringify(r.baselineCpuMsPerCrossing)}.

Errors: ${JSON.stringify(r.errors)}. Peak RSS (MB): ${JSON.stringify(r.peakRssMb)}. Workflow-task schedule-to-start (mean): ${r.workflowTaskScheduleToStartMeanMs} ms.
`;
}
