import { EntitySchema } from '@mikro-orm/core';
import type { FeeCollector } from '../../../domain/gates';

export interface Gate {
  code: string;
  name: string;
  province: string;
  feeCollector: FeeCollector;
}

export interface Yard {
  gateCode: string;
  code: string;
  capacity: number;
}

export const GateSchema = new EntitySchema<Gate>({
  name: 'Gate',
  tableName: 'gate',
  properties: {
    code: { type: 'string', primary: true },
    name: { type: 'string' },
    province: { type: 'string' },
    feeCollector: { type: 'string' },
  },
});

export const YardSchema = new EntitySchema<Yard>({
  name: 'Yard',
  tableName: 'yard',
  properties: {
    gateCode: { type: 'string', primary: true },
    code: { type: 'string', primary: true },
    capacity: { type: 'integer' },
  },
});
