import type { Actor } from '../domain/crossing-view';
import type { TransferVehicle, TransshipmentStage, TransshipmentState } from '../domain/transshipment';

/**
 * A transshipment crossing's transfer (sang tải) through its three stages: the declarant registers it, customs
 * approves it, the yard operator confirms it was carried out. The crossing's rules ask which stage it is at; only this
 * class moves it on.
 */
export class TransshipmentProgress {
  private state: TransshipmentState = { stage: 'REGISTRATION' };

  get stage(): TransshipmentStage {
    return this.state.stage;
  }

  register(yardCode: string, toVehicle: TransferVehicle, at: string): void {
    Object.assign(this.state, { stage: 'APPROVAL', yardCode, toVehicle, registeredAt: at });
  }

  approve(actor: Actor, at: string): void {
    Object.assign(this.state, { stage: 'COMPLETION', approvedAt: at, approvedBy: actor.accountId });
  }

  complete(note: string | undefined, actor: Actor, at: string): void {
    Object.assign(this.state, { completedAt: at, completedBy: actor.accountId, note });
  }

  /** Who the step waits for now, as a sentence ends. */
  get waitingFor(): string {
    return {
      REGISTRATION: 'the declarant to register the transfer',
      APPROVAL: 'customs to approve the transfer',
      COMPLETION: "the yard operator's confirmation",
    }[this.state.stage];
  }

  view(): TransshipmentState {
    return { ...this.state };
  }
}
