import { z } from 'zod';
import { GATE_CODE } from './gates';
import { HS_CODE, isValidContainerNumber, isValidPlate } from './identifiers';
import { freeText, text } from './text';
import { isoDateTime } from './time';

/**
 * The declaration a company submits once for a crossing (and again, as a new version, when a form is returned).
 * This schema is the single definition: the API validates with it, the OpenAPI document is generated from it, and
 * the workflow's types are inferred from it.
 */

const countryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 two-letter country code such as VN or CN');

// A health declaration is made for this trip: not in the future (a day of clock skew allowed).
const declaredAt = isoDateTime().refine((value) => Date.parse(value) <= Date.now() + 24 * 3600_000, 'must not be in the future');

/** A plate as a barrier reads it: the truck's own, its trailer's, and the receiving vehicle of a transshipment. */
export const PlateSchema = text()
  .trim()
  .min(1, 'is required')
  .max(20)
  .refine(isValidPlate, 'is not a Vietnamese (12C-123.45) or Chinese (桂A12345) plate');

export const VehicleSchema = z.object({
  plate: PlateSchema,
  trailerPlate: PlateSchema.nullish(),
  country: countryCode,
  grossWeightKg: z.number().int('must be whole kilograms').positive('must be positive').max(100_000, 'is over 100 t'),
});

export const DriverSchema = z
  .object({
    fullName: text().trim().min(1, 'is required').max(100),
    idNumber: text().trim().min(1, 'is required').max(20),
    nationality: countryCode,
    phone: z
      .string()
      .regex(/^\+?[0-9]{8,15}$/, 'must be a phone number such as +84912345678')
      .nullish(),
  })
  .superRefine((driver, ctx) => {
    // Vietnamese drivers identify with a 12-digit citizen ID (CCCD); others with a passport.
    if (driver.nationality === 'VN' && !/^\d{12}$/.test(driver.idNumber)) {
      ctx.addIssue({ code: 'custom', path: ['idNumber'], message: 'must be a 12-digit citizen ID (CCCD)' });
    } else if (driver.nationality !== 'VN' && !/^[A-Z0-9]{6,20}$/i.test(driver.idNumber)) {
      ctx.addIssue({ code: 'custom', path: ['idNumber'], message: 'must be a passport number (6–20 letters and digits)' });
    }
  });

export const HealthDeclarationSchema = z.object({
  temperatureC: z.number().min(30, 'is below 30 °C').max(45, 'is above 45 °C'),
  symptoms: z.array(text().trim().min(1).max(100)).max(20),
  declaredAt: declaredAt,
});

export const ContainerSchema = z.object({
  number: text().trim().refine(isValidContainerNumber, 'is not an ISO 6346 container number with a correct check digit'),
  sealNo: z
    .string()
    .trim()
    .regex(/^[A-Z0-9-]{1,20}$/i, 'must be 1–20 letters or digits'),
  /** 20 or 40 feet; the fee depends on it. Taken as 40 when not given. */
  sizeFt: z.union([z.literal(20), z.literal(40)]).optional(),
});

export const GoodsLineSchema = z.object({
  hsCode: z.string().regex(HS_CODE, 'must be an HS code of 4 to 10 digits'),
  description: freeText().trim().min(1, 'is required').max(500),
  quantity: z.number().positive('must be positive').max(10_000_000, 'is over 10,000,000'),
  unit: text().trim().min(1, 'is required').max(20),
  netWeightKg: z.number().positive('must be positive').max(100_000, 'is over 100 t'),
  valueUsd: z.number().nonnegative('must not be negative').max(1_000_000_000, 'is over 1,000,000,000 USD'),
  origin: countryCode,
});

export const PRIORITY_REASONS = ['PERISHABLE', 'EMERGENCY', 'DIPLOMATIC'] as const;
export const DIRECTIONS = ['EXPORT', 'IMPORT'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** The declaration's fields, without the rules across them (for schemas derived from it, such as a role's view). */
export const DeclarationFieldsSchema = z.object({
  gate: z.string().regex(GATE_CODE, 'must be a gate code such as HUU_NGHI'),
  direction: z.enum(DIRECTIONS),
  priority: z
    .object({ reason: z.enum(PRIORITY_REASONS) })
    .nullable()
    .default(null),
  customsDeclarationNo: z.string().regex(/^\d{12}$/, 'must be the 12-digit customs declaration number'),
  vehicle: VehicleSchema,
  driver: DriverSchema,
  health: HealthDeclarationSchema,
  containers: z.array(ContainerSchema).max(4, 'at most 4 containers on one truck').default([]),
  goods: z.array(GoodsLineSchema).min(1, 'at least one goods line is required').max(200),
  transshipment: z.boolean().default(false),
});

export const DeclarationSchema = DeclarationFieldsSchema.superRefine((declaration, ctx) => {
  const seen = new Map<string, number>();
  declaration.containers.forEach((container, index) => {
    const key = container.number.replace(/\s/g, '').toUpperCase();
    if (seen.has(key)) {
      ctx.addIssue({ code: 'custom', path: ['containers', index, 'number'], message: 'is declared twice' });
    }
    seen.set(key, index);
  });
}).meta({ id: 'Declaration' });

export type Declaration = z.infer<typeof DeclarationSchema>;
export type DeclarationInput = z.input<typeof DeclarationSchema>;
