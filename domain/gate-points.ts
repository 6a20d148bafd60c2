import { z } from 'zod';

/**
 * The gate floor's vocabulary, kept in a module of its own with no domain imports so that the crossing view can use
 * it (domain/gate-floor.ts has the rules and imports the view).
 */

export const GATE_POINTS = ['YARD_ENTRY', 'YARD_EXIT', 'BARRIER_ENTRY', 'BARRIER_EXIT'] as const;
export type GatePoint = (typeof GATE_POINTS)[number];
export const DEVICE_KINDS = ['CAMERA', 'BARRIER'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** One arrival as the crossing's view lists it (API.md: `arrivals: [{point, at, device}]`). */
export const ArrivalSchema = z.object({
  eventId: z.string(),
  point: z.enum(GATE_POINTS),
  at: z.string(),
  device: z.string(),
  /** The border guard who linked a doubtful or unmatched read by hand. */
  confirmedBy: z.string().optional(),
});
export type Arrival = z.infer<typeof ArrivalSchema>;

export { CUSTOMS_CHANNELS, DEFAULT_CUSTOMS_CHANNEL, type CustomsChannel } from './customs-channel';
