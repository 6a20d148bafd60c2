import fs from 'node:fs';
import path from 'node:path';
import type { LaunchedSystem } from '../infra/launch-system';

/**
 * The Temporal server's own count of the requests it served, by operation: the ground truth for "no workflow was
 * queried". The dev server serves Prometheus metrics on a port of its choice and names it in the banner it writes to
 * its log (`Temporal Metrics: http://localhost:N/metrics`); the launcher keeps that log in the data folder.
 */
export function temporalMetricsUrl(system: LaunchedSystem): string | undefined {
  const log = path.join(system.dataDir ?? '', 'temporal', 'temporal.log');
  if (!system.dataDir || !fs.existsSync(log)) return undefined;
  // The log is appended to across starts: the last banner is this server's.
  const found = [...fs.readFileSync(log, 'utf8').matchAll(/Temporal Metrics:\s+(http:\/\/\S+\/metrics)/g)].pop();
  return found?.[1];
}

/** `service_requests` per operation on the frontend, summed over its other labels. */
export async function requestsByOperation(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('service_requests{') || !line.includes('service_name="frontend"')) continue;
    const operation = /operation="([^"]+)"/.exec(line)?.[1];
    if (operation) counts.set(operation, (counts.get(operation) ?? 0) + Number(line.split(' ').pop()));
  }
  return counts;
}

/** What each operation gained between two counts (only those that did), polls left out. */
export function requestsBetween(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  return Object.fromEntries(
    [...after]
      .map(([operation, n]) => [operation, n - (before.get(operation) ?? 0)] as const)
      .filter(([operation, n]) => n > 0 && !operation.startsWith('Poll')),
  );
}
