import { z } from 'zod';
import {
  CrossingViewSchema as WholeCrossingViewSchema,
  FeeViewSchema,
  type BareCrossingView,
  type CrossingView,
  type DeclarationIdentity,
} from './crossing-view';
import { DeclarationFieldsSchema, VehicleSchema, type Declaration } from './declaration';
import type { DocumentKind } from './documents';
import { DEFAULT_CUSTOMS_CHANNEL } from './gate-points';
import { ROLES, type Role } from './roles';

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
  // A truck on the road by its plate (every role sees it), and nothing of its papers, driver or goods.
  TRAFFIC_POLICE: [],
  // Reads no crossing through the API (CROSSING_READERS); its webhooks carry the partner view below.
  PARTNER: [],
};

/** Who reads crossings through the API (lists, views, documents): everyone but a partner authority's system. */
export const CROSSING_READERS: readonly Role[] = ROLES.filter((r) => r !== 'PARTNER');

/**
 * Who reads where a truck is (a track, the view's `tracking`, the trucks on the traffic map): location is personal data,
 * and API.md lists these roles, at their gates; not even an admin reads it.
 */
export const TRACK_READERS: readonly Role[] = ['DECLARANT', 'MANAGER', 'BORDER_GUARD', 'TRAFFIC_POLICE'];

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

export function declarationFor(role: Role, declaration: Declaration | DeclarationIdentity): CrossingViewAsSeen['declaration'] {
  const visible = DECLARATION_SECTIONS[role];
  // A bare view (kept after an incident) has no sections: each role then sees only the identity.
  const whole = declaration as Partial<Declaration>;
  const sections = Object.fromEntries(
    visible.filter((section) => whole[section] !== undefined).map((section) => [section, whole[section]]),
  ) as Partial<Declaration>;
  return {
    gate: declaration.gate,
    direction: declaration.direction,
    priority: declaration.priority,
    transshipment: declaration.transshipment,
    ...sections,
    // The plate identifies the truck at every barrier, whatever else of the vehicle a role may see.
    vehicle: visible.includes('vehicle') ? declaration.vehicle : { plate: declaration.vehicle.plate },
  };
}

/**
 * The crossing view as a role sees it, the shape every crossing answer has in the OpenAPI document: the whole view
 * (domain/crossing-view.ts) with the declaration's sections, the fee and the transfer left out where the role may not
 * see them (the vehicle then shows only its plate).
 */
export const CrossingViewSchema = WholeCrossingViewSchema.extend({
  declaration: DeclarationFieldsSchema.partial()
    .required({ gate: true, direction: true, priority: true, transshipment: true })
    .extend({ vehicle: VehicleSchema.partial().required({ plate: true }) })
    .meta({ id: 'DeclarationAsSeen' }),
  fee: FeeViewSchema.nullable().optional(),
}).meta({ id: 'CrossingView' });
export type CrossingViewAsSeen = z.infer<typeof CrossingViewSchema>;

/** The crossing view with the fields the role may not see left out. */
export function crossingViewFor(role: Role, view: CrossingView | BareCrossingView): CrossingViewAsSeen {
  const { declaration, fee, transshipment, ...rest } = view;
  return {
    ...rest,
    // Views kept before the gate floor existed have none of these: red channel, no arrivals, no queue.
    customsChannel: rest.customsChannel ?? DEFAULT_CUSTOMS_CHANNEL,
    arrivals: rest.arrivals ?? [],
    queue: rest.queue ?? null,
    tracking: TRACK_READERS.includes(role) ? (rest.tracking ?? null) : null,
    declaration: declarationFor(role, declaration),
    ...(SEES_FEE.includes(role) ? { fee } : {}),
    ...(transshipment && SEES_TRANSSHIPMENT.includes(role) ? { transshipment } : {}),
    documents: view.documents.filter((d) => mayReadDocument(role, d.kind)),
  };
}
