import { z } from 'zod';
import { PlateSchema } from './declaration';
import { text } from './text';

/**
 * Transshipment (sang tải): the cargo moves to a truck of the other side in the yard, in three stages: the declarant
 * registers the transfer, customs approves it, the yard operator confirms it was carried out as approved.
 */
export const TRANSSHIPMENT_STAGES = ['REGISTRATION', 'APPROVAL', 'COMPLETION'] as const;
export type TransshipmentStage = (typeof TRANSSHIPMENT_STAGES)[number];

export const TransferVehicleSchema = z.object({
  // Checked as the declared truck's plate is: the receiving vehicle crosses the same barriers.
  plate: PlateSchema,
  country: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code'),
});
export type TransferVehicle = z.infer<typeof TransferVehicleSchema>;

/** The declarant's registration of the transfer (`POST /v1/crossings/{id}/transshipment`). */
export const TransshipmentRegistrationSchema = z
  .object({ yardCode: text().trim().min(1).max(20), toVehicle: TransferVehicleSchema })
  .meta({ id: 'TransshipmentRegistration' });
export type TransshipmentRegistration = z.infer<typeof TransshipmentRegistrationSchema>;

export const TransshipmentStateSchema = z.object({
  stage: z.enum(TRANSSHIPMENT_STAGES),
  yardCode: z.string().optional(),
  toVehicle: TransferVehicleSchema.optional(),
  registeredAt: z.string().optional(),
  approvedAt: z.string().optional(),
  approvedBy: z.string().optional(),
  completedAt: z.string().optional(),
  completedBy: z.string().optional(),
  note: z.string().optional(),
});
export type TransshipmentState = z.infer<typeof TransshipmentStateSchema>;
