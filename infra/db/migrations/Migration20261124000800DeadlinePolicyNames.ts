import { Migration } from '@mikro-orm/migrations';

/**
 * One name for one concept: the step deadline policies' tables are called what the code calls them. (The HTTP routes
 * keep the contract's name, `/v1/admin/step-timeouts`.)
 */
export class Migration20261124000800DeadlinePolicyNames extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table step_timeout_policy rename to deadline_policy`);
    this.addSql(`alter table step_timeout_policy_version rename to deadline_policy_version`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table deadline_policy_version rename to step_timeout_policy_version`);
    this.addSql(`alter table deadline_policy rename to step_timeout_policy`);
  }
}
