import type { DeclarationInput } from '../../domain/declaration';

/** A valid export declaration of fresh dragon fruit at Hữu Nghị, with overrides. */
export function declaration(overrides: Partial<DeclarationInput> = {}): DeclarationInput {
  return {
    gate: 'HUU_NGHI',
    direction: 'EXPORT',
    priority: null,
    customsDeclarationNo: '305123456789',
    vehicle: { plate: '12C-123.45', trailerPlate: '12R-012.34', country: 'VN', grossWeightKg: 32000 },
    driver: { fullName: 'Nguyen Van A', idNumber: '001090012345', nationality: 'VN', phone: '+84912345678' },
    health: { temperatureC: 36.8, symptoms: [], declaredAt: '2026-11-22T08:00:00+07:00' },
    containers: [{ number: 'MSCU1234566', sealNo: 'SL123456' }],
    goods: [
      {
        hsCode: '08109010',
        description: 'Fresh dragon fruit',
        quantity: 1200,
        unit: 'CARTON',
        netWeightKg: 18000,
        valueUsd: 21600,
        origin: 'VN',
      },
    ],
    transshipment: false,
    ...overrides,
  };
}
