import type { CrossingView } from '../domain/crossing-view';
import type { Declaration } from '../domain/declaration';
import type { DocumentKind } from '../domain/documents';
import type { Role } from '../domain/roles';

/**
 * The one place that decides what each role sees of a crossing. Agencies share a platform only if each sees no more
 * than its job needs: health sees the driver and the health declaration, the border guard the vehicle, driver and
 * containers, customs and quarantine the goods and containers, the fee collector the vehicle and the invoice. Every
 * role sees the crossing's identity (gate, direction, category, the plate the truck is known by at the barrier) and
 * where it stands. Declarants see their own crossings whole; managers and admins see everything.
 */
type Section = Exclude<keyof Declaration, 'gate' | 'direction' | 'priority' | 'transshipment'>;

const ALL: Section[] = ['customsDeclarationNo', 'vehicle', 'driver', 'health', 'containers', 'goods'];

const DECLARATION_SECTIONS: Record<Role, Section[]> = {
  DECLARANT: ALL,
  MANAGER: ALL,
  ADMIN: ALL,
  HEALTH_OFFICER: ['driver', 'health'],
  BORDER_GUARD: ['vehicle', 'driver', 'containers'],
  QUARANTINE_OFFICER: ['customsDeclarationNo', 'goods', 'containers'],
  CUSTOMS_OFFICER: ['customsDeclarationNo', 'goods', 'containers'],
  YARD_OPERATOR: ['vehicle', 'containers'],
  FEE_COLLECTOR: ['vehicle'],
};

/** Who sees the fee in the crossing view. */
const SEES_FEE: Role[] = ['DECLARANT', 'MANAGER', 'ADMIN', 'FEE_COLLECTOR'];
/** Who reads the invoice and its receipt (`GET …/fee` and the fee-receipt PDF): the payer, the collector, managers. */
export const INVOICE_READERS: readonly Role[] = ['DECLARANT', 'FEE_COLLECTOR', 'MANAGER'];

/**
 * What each document shows beyond the crossing's identity, so that a PDF reveals no more than the JSON view of the
 * role reading it: the gate pass and the turn-back order show the vehicle with its trailer; the fee receipt the
 * vehicle and the invoice; the return notice the reason and the fields at fault, which may name any section.
 */
const DOCUMENT_SHOWS: Record<DocumentKind, (Section | 'invoice')[]> = {
  'gate-pass': ['vehicle'],
  'turn-back-order': ['vehicle'],
  'fee-receipt': ['vehicle', 'invoice'],
  'return-notice': ALL,
};

/** Whether a role may read a kind of document of a crossing it may see. */
export function mayReadDocument(role: Role, kind: DocumentKind): boolean {
  return DOCUMENT_SHOWS[kind].every((part) =>
    part === 'invoice' ? INVOICE_READERS.includes(role) : DECLARATION_SECTIONS[role].includes(part),
  );
}
/** Who sees the transfer details of a transshipment. */
const SEES_TRANSSHIPMENT: Role[] = ['DECLARANT', 'MANAGER', 'ADMIN', 'CUSTOMS_OFFICER', 'YARD_OPERATOR'];

export function declarationFor(role: Role, declaration: Declaration): Partial<Declaration> {
  const visible = DECLARATION_SECTIONS[role];
  const shown: Partial<Declaration> = {
    gate: declaration.gate,
    direction: declaration.direction,
    priority: declaration.priority,
    transshipment: declaration.transshipment,
  };
  for (const section of visible) (shown as Record<string, unknown>)[section] = declaration[section];
  // The plate identifies the truck at every barrier, whatever else of the vehicle a role may see.
  if (!visible.includes('vehicle')) shown.vehicle = { plate: declaration.vehicle.plate } as Declaration['vehicle'];
  return shown;
}

/** The crossing view with the fields the role may not see left out. */
export function crossingViewFor(role: Role, view: CrossingView): Partial<CrossingView> & Record<string, unknown> {
  const { declaration, fee, ...rest } = view as CrossingView & { transshipment?: unknown };
  const shown: Record<string, unknown> = { ...rest, declaration: declarationFor(role, declaration) };
  if (SEES_FEE.includes(role)) shown.fee = fee;
  if (!SEES_TRANSSHIPMENT.includes(role)) delete shown.transshipment;
  shown.documents = view.documents.filter((d) => mayReadDocument(role, d.kind as DocumentKind));
  return shown;
}
