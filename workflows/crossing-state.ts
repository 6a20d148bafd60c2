import { categoryOf, type Category } from '../domain/category';
import type { Actor, CrossingStatus, CrossingView, StepView } from '../domain/crossing-view';
import type { Declaration } from '../domain/declaration';
import { STEPS, stepApplies, type Step } from '../domain/steps';

export interface CrossingStart {
  crossingId: string;
  declarantAccountId: string;
}

/**
 * Where one crossing stands, and the rules that move it. Plain code with no Temporal import, so a unit test drives it
 * without a server; the workflow function only wires messages, timers and activities to it.
 */
export class CrossingState {
  readonly id: string;
  readonly declarantAccountId: string;
  status: CrossingStatus = 'IN_PROGRESS';
  declaration: Declaration | undefined;
  declarationVersion = 0;
  category: Category | undefined;
  steps: StepView[] = STEPS.map((step) => ({ step, status: 'PENDING' }));
  createdAt: string | undefined;
  updatedAt: string | undefined;

  constructor(start: CrossingStart) {
    this.id = start.crossingId;
    this.declarantAccountId = start.declarantAccountId;
  }

  get submitted(): boolean {
    return this.declaration !== undefined;
  }

  get currentStep(): Step | null {
    return this.steps.find((s) => s.status === 'WAITING' || s.status === 'OVERDUE' || s.status === 'RETURNED')?.step ?? null;
  }

  /** The first submission: decides which steps apply and opens the first agency step. */
  submitDeclaration(declaration: Declaration, actor: Actor, now: Date): void {
    if (this.submitted) throw new Error('the declaration was already submitted');
    const at = now.toISOString();
    this.declaration = declaration;
    this.declarationVersion = 1;
    this.category = categoryOf(declaration);
    this.createdAt = at;
    for (const view of this.steps) {
      if (view.step === 'declaration') {
        Object.assign(view, { status: 'APPROVED', startedAt: at, decidedAt: at, decidedBy: actor.accountId });
      } else if (!stepApplies(view.step, declaration)) {
        view.status = 'SKIPPED';
      }
    }
    this.openNextStep(now);
  }

  private openNextStep(now: Date): void {
    const next = this.steps.find((s) => s.status === 'PENDING');
    if (next) {
      next.status = 'WAITING';
      next.startedAt = now.toISOString();
    }
    this.updatedAt = now.toISOString();
  }

  view(): CrossingView {
    if (!this.declaration || !this.category || !this.createdAt || !this.updatedAt) {
      throw new Error('a crossing has no view before its declaration');
    }
    return {
      id: this.id,
      gate: this.declaration.gate,
      direction: this.declaration.direction,
      category: this.category,
      status: this.status,
      currentStep: this.currentStep,
      steps: this.steps.map((s) => ({ ...s })),
      declarationVersion: this.declarationVersion,
      declaration: this.declaration,
      returns: [],
      fee: null,
      compensations: [],
      documents: [],
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    };
  }
}
