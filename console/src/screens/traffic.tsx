import { useEffect, useRef, useState } from 'preact/hooks';
import { gateLocalTime } from '../../../domain/local-time';
import { api, ok, type Account, type Read } from '../http/client';
import { label, useT, type Translate } from '../i18n';
import { CorridorMap } from '../ui/corridor-map';
import { clockTime, dayOrClock, localTime } from '../ui/format';
import { useChange, useLoad } from '../ui/hooks';
import { describedBy, Empty, Field, GatePicker, Loading, ProblemNote, useFieldErrors } from '../ui/parts';
import { useServedGates } from '../ui/served-gates';
import { Table } from '../ui/table';

type Traffic = Read<'GateTraffic'>;
type Order = Traffic['orders'][number];
type Action = Order['action'];
const ACTIONS: Action[] = ['HOLD', 'PROCEED', 'DIVERT'];

/** The road changes by the minute: a truck's new position, a segment turning congested, shows within this. */
export const TRAFFIC_POLL_MS = 3000;

/**
 * The approach roads of a gate (API.md "Driver tracking and traffic flow"), for the traffic police and the gate's
 * management: the map, each segment's trucks, speed and flow, the hold-upstream advisory, and the standing orders.
 * The traffic police issue and withdraw orders here; the others see them (the API refuses their changes anyway).
 */
export function TrafficScreen({ account }: { account: Account }) {
  const t = useT();
  const { gates, served, current, pick, nameOf } = useServedGates(account, 30_000);
  const traffic = useLoad(
    () => (current ? ok(api.GET('/v1/gates/{code}/traffic', { params: { path: { code: current } } })) : Promise.resolve(undefined)),
    [current],
    TRAFFIC_POLL_MS,
  );
  const police = account.role === 'TRAFFIC_POLICE';
  const data = traffic.data;

  return (
    <div class="traffic">
      <section class="panel traffic-main" aria-labelledby="traffic-title">
        <div class="card-head">
          <h1 id="traffic-title">{t('traffic.title', { gate: nameOf(current) })}</h1>
          <GatePicker id="traffic-gate" gates={served} value={current} nameOf={nameOf} onChange={pick} />
        </div>
        <ProblemNote problem={gates.problem ?? traffic.problem} onRetry={() => void (gates.problem ? gates.reload() : traffic.reload())} />
        {!current ? (
          gates.loading ? (
            <Loading />
          ) : (
            !gates.problem && <Empty>{t('board.noGate')}</Empty>
          )
        ) : !data ? (
          traffic.loading && <Loading />
        ) : data.segments.length === 0 ? (
          <Empty>{t('traffic.noCorridor')}</Empty>
        ) : (
          <>
            <p class="hint" data-flow-at={data.at ?? ''}>
              {data.at ? t('traffic.computedAt', { time: localTime(data.at) }) : t('traffic.notComputed')}
            </p>
            <AdvisoryLine t={t} traffic={data} />
            <CorridorMap t={t} traffic={data} gateName={nameOf(current)} />
            <Segments t={t} traffic={data} />
          </>
        )}
        {traffic.updatedAt && (
          <p class="updated" aria-live="polite">
            {t('app.updated', { time: clockTime(traffic.updatedAt) })}
          </p>
        )}
      </section>
      {current && data && data.segments.length > 0 && (
        <section class="panel traffic-orders" aria-labelledby="orders-title">
          <StandingOrders key={current} t={t} gate={current} traffic={data} police={police} onChanged={() => void traffic.reload()} />
          {police ? (
            <OrderForm key={current} t={t} gate={current} traffic={data} onIssued={() => void traffic.reload()} />
          ) : (
            <p class="hint">{t('traffic.onlyPolice')}</p>
          )}
        </section>
      )}
    </div>
  );
}

/** The advisory in the reader's words, from its fields (the API's `message` is English): why, where to wait, how long. */
export function advisoryWords(
  t: Translate,
  advisory: { level: string; holdingArea: string | null; cause?: string | null; waitUntil?: string | null },
  areaName: (code: string) => string,
): string[] {
  if (advisory.level !== 'HOLD_UPSTREAM') return [t('advisory.none')];
  return [
    ...(advisory.cause ? [label(t, 'advisory', advisory.cause)] : []),
    advisory.holdingArea ? t('advisory.hold', { area: areaName(advisory.holdingArea) }) : t('advisory.holdAnywhere'),
    ...(advisory.waitUntil ? [t('advisory.until', { time: dayOrClock(advisory.waitUntil) })] : []),
  ];
}

function AdvisoryLine({ t, traffic }: { t: Translate; traffic: Traffic }) {
  const a = traffic.advisory;
  const areaName = (code: string) => traffic.holdingAreas.find((h) => h.code === code)?.name ?? code;
  const hold = a.level === 'HOLD_UPSTREAM';
  return (
    <div class={hold ? 'notice advisory' : 'advisory is-none'} data-advisory={a.level}>
      <strong>{t('traffic.advisory')}:</strong> {advisoryWords(t, a, areaName).join(' ')}
    </div>
  );
}

export function FlowBadge({ t, status }: { t: Translate; status: string }) {
  return (
    <span class={`badge flow-badge flow-text-${status.toLowerCase()}`} data-flow={status}>
      {label(t, 'flow', status)}
    </span>
  );
}

function Segments({ t, traffic }: { t: Translate; traffic: Traffic }) {
  return (
    <Table
      class="segments-table"
      caption={t('traffic.segments')}
      columns={[t('traffic.segment'), t('traffic.trucks'), t('traffic.speed'), t('traffic.status')]}
    >
      <tbody>
        {[...traffic.segments]
          .sort((a, b) => a.order - b.order)
          .map((s) => (
            <tr key={s.code} data-segment={s.code} data-status={s.status}>
              <th scope="row">
                {s.name}
                <span class="sub">
                  {s.order}. {s.code}
                </span>
              </th>
              <td class="number" data-measure="trucks">
                {s.trucks}
              </td>
              <td class="number nowrap">{s.meanSpeedKmh === null ? t('app.none') : t('traffic.kmh', { n: Math.round(s.meanSpeedKmh) })}</td>
              <td>
                <FlowBadge t={t} status={s.status} />
              </td>
            </tr>
          ))}
      </tbody>
    </Table>
  );
}

/** The orders that stand, newest first; the traffic police withdraw one with its button (the drivers are told). */
function StandingOrders(props: { t: Translate; gate: string; traffic: Traffic; police: boolean; onChanged: () => void }) {
  const { t, gate, traffic } = props;
  const [done, setDone] = useState<string | undefined>();
  const doneNote = useRef<HTMLParagraphElement>(null);
  const withdraw = useChange(async (headers, id: string) => {
    setDone(undefined);
    await ok(api.DELETE('/v1/gates/{code}/traffic-orders/{id}', { params: { path: { code: gate, id } }, headers }));
    setDone(t('traffic.withdrawn'));
    props.onChanged();
    setTimeout(() => doneNote.current?.focus(), 0);
  });
  const segmentName = (code: string) => traffic.segments.find((s) => s.code === code)?.name ?? code;
  const areaName = (code: string) => traffic.holdingAreas.find((h) => h.code === code)?.name ?? code;
  const orders = [...traffic.orders].sort((a, b) => b.issuedAt.localeCompare(a.issuedAt));
  return (
    <>
      <h2 id="orders-title">{t('traffic.orders')}</h2>
      {done && (
        <p class="saved" role="status" tabIndex={-1} ref={doneNote}>
          {done}
        </p>
      )}
      <ProblemNote problem={withdraw.problem} />
      {orders.length === 0 ? (
        <Empty>{t('traffic.noOrders')}</Empty>
      ) : (
        <ul class="orders-list">
          {orders.map((o) => (
            <li key={o.id} data-order={o.id} data-action={o.action}>
              <p class="order-head">
                <span class={`badge action-${o.action.toLowerCase()}`}>{label(t, 'action', o.action)}</span>{' '}
                <span class="order-message">{o.message}</span>
              </p>
              <p class="sub">
                {t('traffic.orderSegments', { list: o.segments ? o.segments.map(segmentName).join(', ') : t('traffic.allSegments') })}
                {o.holdingArea && <> · {t('traffic.orderArea', { area: areaName(o.holdingArea) })}</>}
              </p>
              <p class="sub">
                {t('traffic.orderUntil', { time: dayOrClock(o.validUntil) })} ·{' '}
                {t('traffic.orderIssued', { time: dayOrClock(o.issuedAt), n: o.recipients })}
              </p>
              {props.police && (
                <button
                  type="button"
                  class="secondary-danger"
                  disabled={withdraw.busy}
                  aria-label={t('traffic.withdrawLabel', { action: label(t, 'action', o.action), time: dayOrClock(o.issuedAt) })}
                  onClick={() => void withdraw.act(o.id)}
                >
                  {t('traffic.withdraw')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** `2026-12-01T17:05` in the gate's time, some hours from now: what a datetime-local input takes. */
const gateInput = (hoursFromNow: number) =>
  gateLocalTime(new Date(Date.now() + hoursFromNow * 3600_000))
    .slice(0, 16)
    .replace(' ', 'T');

/**
 * A new order: what drivers must do, in the officer's words, on which segments (none chosen: all), where to wait, and
 * until when (the gate's time). The API checks every field; a 400 is shown at the fields it names.
 */
function OrderForm({ t, gate, traffic, onIssued }: { t: Translate; gate: string; traffic: Traffic; onIssued: () => void }) {
  const [action, setAction] = useState<Action>('HOLD');
  const [message, setMessage] = useState('');
  const [segments, setSegments] = useState<string[]>([]);
  const [area, setArea] = useState('');
  const [until, setUntil] = useState(() => gateInput(2));
  const [done, setDone] = useState<string | undefined>();
  const doneNote = useRef<HTMLParagraphElement>(null);
  const issue = useChange(async (headers) => {
    setDone(undefined);
    const order = await ok(
      api.POST('/v1/gates/{code}/traffic-orders', {
        params: { path: { code: gate } },
        headers,
        body: {
          action,
          message,
          ...(segments.length ? { segments } : {}),
          ...(area ? { holdingArea: area } : {}),
          validUntil: until ? `${until.slice(0, 16)}:00+07:00` : '',
        },
      }),
    );
    setMessage('');
    setSegments([]);
    setDone(t('traffic.issued', { action: label(t, 'action', order.action), n: order.recipients }));
    onIssued();
    setTimeout(() => doneNote.current?.focus(), 0);
  });
  const errorOf = useFieldErrors(issue.problem);
  const segmentsError = issue.problem?.errors.find((e) => e.path === 'segments' || e.path.startsWith('segments.'));
  const segmentsErrorText = segmentsError && (errorOf(segmentsError.path) ?? segmentsError.message);
  const fieldProblem = !!issue.problem && issue.problem.status === 400 && issue.problem.errors.length > 0;
  useEffect(() => {
    if (fieldProblem) document.querySelector<HTMLElement>('.order-form [aria-invalid="true"]')?.focus();
  }, [issue.problem]);

  return (
    <form
      class="order-form"
      aria-labelledby="order-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        void issue.act();
      }}
    >
      <h2 id="order-form-title">{t('traffic.issueTitle')}</h2>
      <p class="hint">{t('traffic.issueExplain')}</p>
      {done && (
        <p class="saved" role="status" tabIndex={-1} ref={doneNote}>
          {done}
        </p>
      )}
      <ProblemNote problem={issue.problem} />
      <Field id="order-action" label={t('traffic.formAction')} error={errorOf('action')}>
        <select id="order-action" value={action} onChange={(e) => setAction(e.currentTarget.value as Action)}>
          {ACTIONS.map((a) => (
            <option key={a} value={a}>
              {label(t, 'action', a)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="order-message" label={t('traffic.formMessage')} note={t('traffic.formMessageNote')} error={errorOf('message')}>
        <textarea
          id="order-message"
          rows={3}
          maxLength={300}
          value={message}
          aria-required="true"
          aria-invalid={errorOf('message') ? 'true' : undefined}
          aria-describedby={describedBy('order-message', errorOf('message'), 'note')}
          onInput={(e) => setMessage(e.currentTarget.value)}
        />
      </Field>
      <fieldset
        class={`order-segments${segmentsErrorText ? ' invalid' : ''}`}
        aria-describedby={segmentsErrorText ? 'order-segments-note order-segments-error' : 'order-segments-note'}
      >
        <legend>{t('traffic.formSegments')}</legend>
        <p class="field-note" id="order-segments-note">
          {t('traffic.formSegmentsNote')}
        </p>
        {[...traffic.segments]
          .sort((a, b) => a.order - b.order)
          .map((s) => (
            <div class="field checkbox" key={s.code}>
              <input
                type="checkbox"
                id={`order-segment-${s.code}`}
                value={s.code}
                checked={segments.includes(s.code)}
                aria-invalid={segmentsErrorText ? 'true' : undefined}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  setSegments((now) => (on ? [...now, s.code] : now.filter((c) => c !== s.code)));
                }}
              />
              <label for={`order-segment-${s.code}`}>
                {s.name} <FlowBadge t={t} status={s.status} />
              </label>
            </div>
          ))}
        {segmentsErrorText && (
          <p class="field-error" id="order-segments-error">
            {segmentsErrorText}
          </p>
        )}
      </fieldset>
      <Field id="order-area" label={t('traffic.formArea')} error={errorOf('holdingArea')}>
        <select
          id="order-area"
          value={area}
          aria-invalid={errorOf('holdingArea') ? 'true' : undefined}
          aria-describedby={describedBy('order-area', errorOf('holdingArea'))}
          onChange={(e) => setArea(e.currentTarget.value)}
        >
          <option value="">{t('traffic.formNoArea')}</option>
          {traffic.holdingAreas.map((h) => (
            <option key={h.code} value={h.code}>
              {h.name}
            </option>
          ))}
        </select>
      </Field>
      <Field id="order-until" label={t('traffic.formUntil')} note={t('traffic.formUntilNote')} error={errorOf('validUntil')}>
        <input
          id="order-until"
          type="datetime-local"
          value={until}
          aria-required="true"
          aria-invalid={errorOf('validUntil') ? 'true' : undefined}
          aria-describedby={describedBy('order-until', errorOf('validUntil'), 'note')}
          onInput={(e) => setUntil(e.currentTarget.value)}
        />
      </Field>
      <div class="actions">
        <button type="submit" disabled={issue.busy}>
          {t('traffic.formSubmit')}
        </button>
      </div>
    </form>
  );
}
