import { UNDO_STEP, type UndoAction } from '../domain/compensation';
import type { DecisionStep } from '../domain/steps';

/**
 * What a crossing must undo if it ends early, and what it has undone. An undo is registered before the side effect it
 * reverses (a crash between the two still releases whatever was reserved); undos run newest first, each recorded as it
 * finishes, so compensation interrupted by a crash resumes with what is left. Every undo is a no-op for an effect that
 * never happened.
 */
export class CompensationLedger {
  private registered: UndoAction[] = [];
  private done: { action: UndoAction; status: 'DONE'; at: string }[] = [];
  private closed = false;

  register(...actions: UndoAction[]): void {
    this.registered.push(...actions);
  }

  /** The truck has left: nothing is left to turn back or release. */
  forgetAll(): void {
    this.registered = [];
  }

  /** Nothing will ever need undoing (the crossing cleared). */
  close(): void {
    this.closed = true;
  }

  /** In the order registered. */
  get actions(): readonly UndoAction[] {
    return this.registered;
  }

  /** The undos still to run once the crossing has ended early, newest first. */
  pending(endedEarly: boolean): UndoAction[] {
    if (this.closed || !endedEarly) return [];
    const done = new Set(this.done.map((c) => c.action));
    return [...this.registered].reverse().filter((a) => !done.has(a));
  }

  /** Records one undo as carried out; answers the step all of whose undos have now run, if this completed one. */
  record(action: UndoAction, at: string): DecisionStep | undefined {
    this.done.push({ action, status: 'DONE', at });
    const step = UNDO_STEP[action];
    const open = this.registered.filter((a) => UNDO_STEP[a] === step && !this.done.some((c) => c.action === a));
    if (this.pending(true).length === 0) this.closed = true;
    return open.length === 0 ? step : undefined;
  }

  /** The view's list: undos done, then those still to run (as PENDING, so nobody mistakes the crossing for compensated). */
  entries(endedEarly: boolean, endedAt: string | undefined): { action: UndoAction; status: 'DONE' | 'PENDING'; at: string }[] {
    return [
      ...this.done.map((c) => ({ ...c })),
      ...this.pending(endedEarly).map((action) => ({ action, status: 'PENDING' as const, at: endedAt! })),
    ];
  }
}
