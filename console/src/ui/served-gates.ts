import { useState } from 'preact/hooks';
import { api, ok, type Account } from '../http/client';
import { useRoute } from './router';
import { useLoad } from './hooks';

/**
 * The gate a screen of one gate shows, for an account that may serve several: the gates it serves (every gate for an
 * admin), the one picked (at first the one the link names, `?gate=HUU_NGHI`, else the first), and the gates' names.
 * The gates are read again every `everyMs`: a closure or a yard's change shows without a reload.
 */
export function useServedGates(account: Account, everyMs: number) {
  const gates = useLoad(() => ok(api.GET('/v1/gates')), [], everyMs);
  const served = account.role === 'ADMIN' ? (gates.data ?? []).map((g) => g.code) : account.gates;
  const [picked, pick] = useState<string | undefined>();
  const linked = new URLSearchParams(useRoute().split('?')[1] ?? '').get('gate') ?? undefined;
  const current = picked ?? (linked && served.includes(linked) ? linked : served[0]);
  const nameOf = (code: string | undefined) => gates.data?.find((g) => g.code === code)?.name ?? code ?? '';
  return { gates, served, current, pick, nameOf, info: gates.data?.find((g) => g.code === current) };
}
