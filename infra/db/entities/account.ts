import { ArrayType, EntitySchema } from '@mikro-orm/core';
import type { Role } from '../../../domain/roles';

/** A personal account: every action in the system is attributed to one. */
export interface Account {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
  gates: string[];
  companyTaxCode: string | null;
  displayName: string | null;
  disabled: boolean;
  /** Tokens carry the version they were issued under; raising it (password change, disable, re-enable) ends them. */
  tokenVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export const AccountSchema = new EntitySchema<Account>({
  name: 'Account',
  tableName: 'account',
  properties: {
    id: { type: 'uuid', primary: true },
    username: { type: 'string', unique: true },
    passwordHash: { type: 'string', hidden: true },
    role: { type: 'string' },
    gates: { type: ArrayType, columnType: 'text[]' },
    companyTaxCode: { type: 'string', nullable: true },
    displayName: { type: 'string', nullable: true },
    disabled: { type: 'boolean', default: false },
    tokenVersion: { type: 'integer', default: 1 },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    updatedAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
