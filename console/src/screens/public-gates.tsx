import { api, ok, type Read } from '../http/client';
import { label, useT, type Translate } from '../i18n';
import { clockTime, dayOrClock, localTime } from '../ui/format';
import { useLoad } from '../ui/hooks';
import { Empty, Loading, ProblemNote } from '../ui/parts';
import { advisoryWords, FlowBadge } from './traffic';

type PublicGate = Read<'PublicGate'>;

/** The API lets caches keep the answer 10 s; asking more often would show nothing newer. */
export const PUBLIC_POLL_MS = 15_000;

/**
 * Every gate for anyone, without signing in (`GET /v1/public/gates`): open or closed and why, yard places, the queue's
 * length, each approach segment's flow, the advisory and the standing police orders. The answer has no plate, company,
 * driver or crossing, and the page shows only what it has.
 */
export function PublicGatesScreen() {
  const t = useT();
  const gates = useLoad(() => ok(api.GET('/v1/public/gates')), [], PUBLIC_POLL_MS);
  return (
    <section class="public-gates" aria-labelledby="public-title">
      <h1 id="public-title">{t('public.title')}</h1>
      <p class="hint">{t('public.hint')}</p>
      <ProblemNote problem={gates.problem} onRetry={() => void gates.reload()} />
      {!gates.data ? (
        gates.loading && <Loading />
      ) : gates.data.length === 0 ? (
        <Empty>{t('public.noGates')}</Empty>
      ) : (
        <ul class="public-list">
          {gates.data.map((g) => (
            <li key={g.code}>
              <GateCard t={t} gate={g} />
            </li>
          ))}
        </ul>
      )}
      {gates.updatedAt && (
        <p class="updated" aria-live="polite">
          {t('app.updated', { time: clockTime(gates.updatedAt) })}
        </p>
      )}
    </section>
  );
}

function GateCard({ t, gate }: { t: Translate; gate: PublicGate }) {
  const id = `gate-${gate.code}`;
  return (
    <article
      class={`panel public-gate ${gate.open ? 'is-open' : 'is-closed'}`}
      aria-labelledby={id}
      data-gate={gate.code}
      data-open={String(gate.open)}
    >
      <h2 id={id}>
        {gate.name}{' '}
        <span class={`badge ${gate.open ? 'status-cleared' : 'step-denied'}`}>{gate.open ? t('public.open') : t('public.closed')}</span>
      </h2>
      {gate.closure && (
        <div class="notice" data-closure>
          <p>{t('public.closedSince', { time: localTime(gate.closure.closedAt, { seconds: false }), reason: gate.closure.reason })}</p>
          <p>
            {gate.closure.expectedReopenAt
              ? t('public.reopenAt', { time: localTime(gate.closure.expectedReopenAt, { seconds: false }) })
              : t('public.reopenUnknown')}
          </p>
        </div>
      )}
      <dl class="public-facts">
        <div>
          <dt>{t('public.yards')}</dt>
          <dd data-public="yards">
            {gate.yards.length === 0
              ? t('public.noYards')
              : gate.yards.map((y) => (
                  <span key={y.code} class="public-yard">
                    {t('public.yard', {
                      code: y.code,
                      occupied: y.occupied,
                      capacity: y.capacity,
                      free: Math.max(0, y.capacity - y.occupied),
                    })}
                  </span>
                ))}
          </dd>
        </div>
        <div>
          <dt>{t('public.queue')}</dt>
          <dd data-public="queue">
            {gate.queue ? t('public.queueCounts', { waiting: gate.queue.waiting, called: gate.queue.called }) : t('public.noQueue')}
          </dd>
        </div>
      </dl>
      <h3>{t('public.traffic')}</h3>
      {gate.traffic.length === 0 ? (
        <Empty>{t('public.noCorridor')}</Empty>
      ) : (
        <ol class="public-segments">
          {gate.traffic.map((s) => (
            <li key={s.segment} data-segment={s.segment} data-status={s.status}>
              <span>{s.name}</span> <FlowBadge t={t} status={s.status} />
            </li>
          ))}
        </ol>
      )}
      <p class={gate.advisory.level === 'HOLD_UPSTREAM' ? 'notice advisory' : 'advisory is-none'} data-advisory={gate.advisory.level}>
        <strong>{t('traffic.advisory')}:</strong> {advisoryWords(t, gate.advisory, (code) => gate.advisory.holdingAreaName ?? code).join(' ')}
      </p>
      {gate.orders.length > 0 && (
        <>
          <h3>{t('public.orders')}</h3>
          <ul class="orders-list">
            {gate.orders.map((o, i) => (
              <li key={i} data-action={o.action}>
                <span class={`badge action-${o.action.toLowerCase()}`}>{label(t, 'action', o.action)}</span>{' '}
                <span class="order-message">{o.message}</span>
                <span class="sub">{t('traffic.orderUntil', { time: dayOrClock(o.validUntil) })}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </article>
  );
}
