import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

const EventType = temporal.api.enums.v1.EventType;

/** One run of a queue dispatcher workflow, as Temporal's visibility lists it. */
export interface DispatcherRun {
  runId: string;
  status: string;
  historyLength: number;
  startedAt: string;
  closedAt: string | null;
}

/** What `bench:queue` shows of a dispatcher: how long its current history is, and how many runs it has had. */
export interface DispatcherSize {
  workflowId: string;
  /** The current run's history length (`describe()`), the figure that must not grow with the trucks queued. */
  historyLength: number;
  runs: number;
  continuedAsNew: number;
  longestRunHistory: number;
}

/** The times (ms since the epoch, the Temporal server's clock) of the dispatcher's events that a wake goes through. */
export interface DispatcherTimeline {
  signalled: number[];
  taskScheduled: number[];
  taskStarted: number[];
  taskCompleted: number[];
}

export async function runsOf(client: Client, workflowId: string): Promise<DispatcherRun[]> {
  const runs: DispatcherRun[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    runs.push({
      runId: wf.runId,
      status: wf.status.name,
      historyLength: wf.historyLength,
      startedAt: wf.startTime.toISOString(),
      closedAt: wf.closeTime?.toISOString() ?? null,
    });
  }
  return runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

export async function sizeOf(client: Client, workflowId: string): Promise<DispatcherSize> {
  const described = await client.workflow.getHandle(workflowId).describe();
  const runs = await runsOf(client, workflowId);
  return {
    workflowId,
    historyLength: described.historyLength,
    runs: runs.length,
    continuedAsNew: runs.filter((r) => r.status === 'CONTINUED_AS_NEW').length,
    longestRunHistory: Math.max(described.historyLength, ...runs.map((r) => r.historyLength)),
  };
}

/** The wake-related events of every run of the dispatcher open at or after `since` (ms since the epoch). */
export async function timelineOf(client: Client, workflowId: string, since: number): Promise<DispatcherTimeline> {
  const timeline: DispatcherTimeline = { signalled: [], taskScheduled: [], taskStarted: [], taskCompleted: [] };
  for (const run of await runsOf(client, workflowId)) {
    if (run.closedAt && Date.parse(run.closedAt) < since) continue;
    const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    for (const event of history.events ?? []) {
      const at = tsToMs(event.eventTime);
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) timeline.signalled.push(at);
      else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) timeline.taskScheduled.push(at);
      else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) timeline.taskStarted.push(at);
      else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) timeline.taskCompleted.push(at);
    }
  }
  for (const list of Object.values(timeline)) list.sort((a: number, b: number) => a - b);
  return timeline;
}

/** The first time in a sorted list at or after `at`, or null. */
export function firstAtOrAfter(times: readonly number[], at: number): number | null {
  for (const t of times) if (t >= at) return t;
  return null;
}

/**
 * What each continue-as-new cost: the workflow tasks of the run that failed (and why: a task that continues as new
 * while signals arrive is refused as UnhandledCommand, and the next one replays the run's whole history), and how long
 * the run's last task, the one that continued as new, took from start to completion.
 */
export async function continueAsNewCosts(
  client: Client,
  workflowId: string,
): Promise<{ runId: string; at: string; failedTasks: Record<string, number>; lastTaskMs: number | null }[]> {
  const costs = [];
  for (const run of await runsOf(client, workflowId)) {
    if (run.status !== 'CONTINUED_AS_NEW') continue;
    const events = (await client.workflow.getHandle(workflowId, run.runId).fetchHistory()).events ?? [];
    const failedTasks: Record<string, number> = {};
    let lastStarted: number | null = null;
    let lastTaskMs: number | null = null;
    for (const event of events) {
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) {
        const cause = temporal.api.enums.v1.WorkflowTaskFailedCause[event.workflowTaskFailedEventAttributes?.cause ?? 0] ?? 'unknown';
        failedTasks[cause] = (failedTasks[cause] ?? 0) + 1;
      } else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) lastStarted = tsToMs(event.eventTime);
      else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && lastStarted !== null)
        lastTaskMs = tsToMs(event.eventTime) - lastStarted;
    }
    costs.push({ runId: run.runId, at: run.closedAt ?? run.startedAt, failedTasks, lastTaskMs });
  }
  return costs;
}
