import { servesGate, type Role } from '../domain/roles';
import type { CrossingOwnership } from '../infra/db/stores/read-model';
import type { ApiContext } from './context';
import type { Caller } from './route';
import { CrossingNotFound } from '../domain/errors';
import { forbidden } from './problem';

/**
 * Who may see a crossing: the admins; accounts serving its gate; and of a declarant, only its own company's crossings
 * at gates it serves. Everyone else gets 404, as if there were no such crossing, whatever their role: existence is
 * not revealed across companies or gates. (403 is for a role that does not own an action.)
 */
export async function crossingFor(ctx: ApiContext, caller: Caller, id: string): Promise<CrossingOwnership> {
  // Read with the caller by the request's opening statement on a route about this crossing; otherwise read now.
  const opened = caller.opened?.crossing;
  const row = opened?.id === id ? opened.row : await ctx.services.stores().readModel.ownership(id);
  const missing = () => new CrossingNotFound();
  if (!row || !servesGate(caller, row.gate_code)) throw missing();
  if (caller.role === 'DECLARANT' && row.company_tax_code !== caller.companyTaxCode) throw missing();
  return row;
}

/** A crossing the caller acts on: readable by it, and of a role allowed the action. */
export async function crossingToActOn(ctx: ApiContext, caller: Caller, id: string, roles: readonly Role[]): Promise<CrossingOwnership> {
  const row = await crossingFor(ctx, caller, id);
  if (!roles.includes(caller.role)) throw forbidden(`This action is for ${roles.join(', ')}; your account is ${caller.role}.`);
  return row;
}

export { stepsOf } from '../domain/steps';
