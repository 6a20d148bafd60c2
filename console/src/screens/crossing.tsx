import type { Account } from '../http/client';
import { CrossingCard } from './crossing-card';

/** One truck on a page of its own (`#/crossings/{id}`): a link another tab or a colleague can open. */
export function CrossingScreen({ id, account }: { id: string; account: Account }) {
  return (
    <div class="workspace single">
      <CrossingCard id={id} account={account} />
    </div>
  );
}
