import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261123000100Foundation } from './Migration20261123000100Foundation';
import { Migration20261123000200Lifecycle } from './Migration20261123000200Lifecycle';
import { Migration20261123000300Trust } from './Migration20261123000300Trust';
import { Migration20261123000400Fees } from './Migration20261123000400Fees';
import { Migration20261123000500AuditAppend } from './Migration20261123000500AuditAppend';
import { Migration20261124000600Reliability } from './Migration20261124000600Reliability';
import { Migration20261124000700Security } from './Migration20261124000700Security';
import { Migration20261124000800DeadlinePolicyNames } from './Migration20261124000800DeadlinePolicyNames';
import { Migration20261201000900Measures } from './Migration20261201000900Measures';
import { Migration20261201001000GateFloor } from './Migration20261201001000GateFloor';
import { Migration20261201001100VirtualQueue } from './Migration20261201001100VirtualQueue';
import { Migration20261201001200Tracking } from './Migration20261201001200Tracking';
import { Migration20261201001300GateReadFunction } from './Migration20261201001300GateReadFunction';
import { Migration20261201001400Webhooks } from './Migration20261201001400Webhooks';
import { Migration20261203000100NotificationHeads } from './Migration20261203000100NotificationHeads';

/** Every migration, oldest first. Listed explicitly so the same code runs from TypeScript sources and a build. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261123000100Foundation', class: Migration20261123000100Foundation },
  { name: 'Migration20261123000200Lifecycle', class: Migration20261123000200Lifecycle },
  { name: 'Migration20261123000300Trust', class: Migration20261123000300Trust },
  { name: 'Migration20261123000400Fees', class: Migration20261123000400Fees },
  { name: 'Migration20261123000500AuditAppend', class: Migration20261123000500AuditAppend },
  { name: 'Migration20261124000600Reliability', class: Migration20261124000600Reliability },
  { name: 'Migration20261124000700Security', class: Migration20261124000700Security },
  { name: 'Migration20261124000800DeadlinePolicyNames', class: Migration20261124000800DeadlinePolicyNames },
  { name: 'Migration20261201000900Measures', class: Migration20261201000900Measures },
  { name: 'Migration20261201001000GateFloor', class: Migration20261201001000GateFloor },
  { name: 'Migration20261201001100VirtualQueue', class: Migration20261201001100VirtualQueue },
  { name: 'Migration20261201001200Tracking', class: Migration20261201001200Tracking },
  { name: 'Migration20261201001300GateReadFunction', class: Migration20261201001300GateReadFunction },
  { name: 'Migration20261201001400Webhooks', class: Migration20261201001400Webhooks },
  { name: 'Migration20261203000100NotificationHeads', class: Migration20261203000100NotificationHeads },
];
