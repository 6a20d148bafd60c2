import type { CrossingView } from '../domain/crossing-view';
import type { Role } from '../domain/roles';
import { STEP_OWNER, type DecisionStep } from '../domain/steps';
import type { Account } from '../infra/db/entities/account';
import type { ApiContext } from './context';
import { forbidden, notFound } from './problem';

/** The columns of a crossing's read-model row that decide who may see or act on it, and its last view. */
export interface CrossingOwnership {
  id: string;
  gate_code: string;
  company_tax_code: string;
  view: CrossingView;
}

/**
 * Who may see a crossing: its declarant company (any other company gets 404, so existence is not revealed), the
 * admins, and accounts serving its gate (others get 403).
 */
export async function crossingFor(ctx: ApiContext, caller: Account, id: string): Promise<CrossingOwnership> {
  const [row] = await ctx.services.em
    .getConnection()
    .execute<CrossingOwnership[]>('select id, gate_code, company_tax_code, view from crossing where id = ?', [id]);
  const missing = () => notFound('There is no crossing with this id.');
  if (!row) throw missing();
  if (caller.role === 'DECLARANT') {
    if (row.company_tax_code !== caller.companyTaxCode) throw missing();
  } else if (caller.role !== 'ADMIN' && !caller.gates.includes(row.gate_code)) {
    throw forbidden(`Your account does not serve gate ${row.gate_code}.`);
  }
  return row;
}

/** A crossing the caller acts on: readable by it, and of a role allowed the action. */
export async function crossingToActOn(ctx: ApiContext, caller: Account, id: string, roles: readonly Role[]): Promise<CrossingOwnership> {
  const row = await crossingFor(ctx, caller, id);
  if (!roles.includes(caller.role)) throw forbidden(`This action is for ${roles.join(', ')}; your account is ${caller.role}.`);
  return row;
}

/** The steps whose work queue an agency role works. */
export function stepsOf(role: Role): DecisionStep[] {
  const steps = (Object.entries(STEP_OWNER) as [DecisionStep, Role][]).filter(([, owner]) => owner === role).map(([step]) => step);
  // The yard operator confirms transfers: its queue is the transshipment step.
  return role === 'YARD_OPERATOR' ? ['transshipment'] : steps;
}
