import type { Account } from './http/client';
import type { MessageKey } from './i18n';
import { AGENCY_ROLES, type Role } from '../../domain/roles';

/**
 * Which screens each role has, in the order of its navigation; the first is where it lands after signing in. Every
 * role that may own a webhook subscription has the webhook screen: a partner authority's system has nothing else.
 */
export interface NavItem {
  path: string;
  label: MessageKey;
}

export const isAgency = (account: Account) => AGENCY_ROLES.includes(account.role as Role);

const WEBHOOKS: NavItem = { path: '/webhooks', label: 'nav.webhooks' };

export function navFor(account: Account): NavItem[] {
  if (account.role === 'BORDER_GUARD')
    return [{ path: '/queue', label: 'nav.queue' }, { path: '/exceptions', label: 'nav.exceptions' }, WEBHOOKS];
  if (isAgency(account)) return [{ path: '/queue', label: 'nav.queue' }, WEBHOOKS];
  switch (account.role) {
    case 'DECLARANT':
      return [{ path: '/mine', label: 'nav.myTrucks' }, { path: '/declare', label: 'nav.declare' }, WEBHOOKS];
    case 'MANAGER':
      return [
        { path: '/board', label: 'nav.board' },
        { path: '/gate-queue', label: 'nav.gateQueue' },
        { path: '/traffic', label: 'nav.traffic' },
      ];
    case 'TRAFFIC_POLICE':
      return [{ path: '/traffic', label: 'nav.traffic' }];
    case 'ADMIN':
      return [
        { path: '/admin/accounts', label: 'nav.accounts' },
        { path: '/admin/deadlines', label: 'nav.deadlines' },
        { path: '/admin/fee-rates', label: 'nav.feeRates' },
        WEBHOOKS,
        { path: '/board', label: 'nav.board' },
        { path: '/gate-queue', label: 'nav.gateQueue' },
        { path: '/traffic', label: 'nav.traffic' },
      ];
    case 'PARTNER':
      return [WEBHOOKS];
    default:
      return [];
  }
}

export const homeOf = (account: Account) => navFor(account)[0]?.path ?? '/';
