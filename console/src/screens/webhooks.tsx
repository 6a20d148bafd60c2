import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Account, type Schemas } from '../http/client';
import { label, useT, type Translate } from '../i18n';
import { DELIVERY_STATUSES, SUBSCRIBER_ROLES, WEBHOOK_EVENTS, type DeliveryStatus, type WebhookEvent } from '../../../domain/webhooks';
import type { Role } from '../../../domain/roles';
import { clockTime, dayOrClock, fromNow, localTime } from '../ui/format';
import { useChange, useLoad } from '../ui/hooks';
import { describedBy, Empty, Field, Loading, ProblemNote, useFieldErrors } from '../ui/parts';
import { navigate } from '../ui/router';
import { Table } from '../ui/table';

/** How often an open delivery log is read again: a retried event's next attempt shows within about this long. */
const LOG_POLL_MS = 2000;

type Subscription = Schemas['WebhookSubscription'];
type Delivery = Schemas['WebhookDelivery'];

/**
 * Events out (API.md "Events out (webhooks)"): the caller's subscriptions (an admin's list has everyone's, each with
 * its owner's username), the form that makes one (an admin for an agency's or a partner authority's account, a
 * declarant for its own company), and, at `#/webhooks/<id>`, one subscription's delivery log, read again every two
 * seconds, where a FAILED event is sent again by hand. The signing secret is in the 201 answer only: it lives in the
 * form's state, on screen until the person leaves the form (opening a log, another screen), and is never stored.
 */
export function WebhooksScreen({ account, open }: { account: Account; open?: string }) {
  const t = useT();
  const admin = account.role === 'ADMIN';
  const canCreate = admin || account.role === 'DECLARANT';
  const subscriptions = useLoad(() => ok(api.GET('/v1/webhooks')), []);
  // Usernames for the owner column and the choice of account: an admin reads every account, no one else needs them.
  const accounts = useLoad(() => (admin ? ok(api.GET('/v1/accounts')) : Promise.resolve([])), [admin]);
  const gates = useLoad(() => ok(api.GET('/v1/gates')), []);
  const ownerOf = (id: string) => accounts.data?.find((a) => a.id === id);
  const opened = subscriptions.data?.find((s) => s.id === open);
  // Said above the list, which may be empty once the last subscription is gone.
  const [deleted, setDeleted] = useState<string | undefined>();

  return (
    <div class={`workspace webhooks${open ? ' with-log' : canCreate ? '' : ' single'}`}>
      <section class="panel" aria-labelledby="webhooks-title">
        <h1 id="webhooks-title">{t('webhooks.title')}</h1>
        <p class="hint">
          {t(admin ? 'webhooks.hintAdmin' : account.role === 'DECLARANT' ? 'webhooks.hintDeclarant' : 'webhooks.hintOwner')}
        </p>
        <ProblemNote problem={subscriptions.problem} onRetry={() => void subscriptions.reload()} />
        {deleted && (
          <p class="saved" role="status" id="webhook-deleted" tabIndex={-1}>
            {deleted}
          </p>
        )}
        {subscriptions.loading && !subscriptions.data ? (
          <Loading />
        ) : (subscriptions.data ?? []).length === 0 ? (
          <Empty>{t(canCreate ? 'webhooks.emptyCreate' : 'webhooks.empty')}</Empty>
        ) : (
          <SubscriptionTable
            t={t}
            subscriptions={subscriptions.data ?? []}
            open={open}
            compact={!!open}
            ownerName={admin ? (id) => ownerOf(id)?.username ?? id.slice(0, 8) : undefined}
            onDeleting={() => setDeleted(undefined)}
            onDeleted={async (s) => {
              if (s.id === open) navigate('/webhooks');
              await subscriptions.reload();
              setDeleted(t('webhooks.deleted', { url: s.url }));
              // The button pressed is gone with its row: the keyboard's place is the sentence saying so.
              setTimeout(() => document.getElementById('webhook-deleted')?.focus(), 0);
            }}
          />
        )}
      </section>
      {open ? (
        <DeliveryLog key={open} t={t} id={open} subscription={opened} account={account} />
      ) : (
        canCreate && (
          <NewSubscription
            t={t}
            account={account}
            accounts={(accounts.data ?? []).filter(
              (a) => a.role !== 'DECLARANT' && SUBSCRIBER_ROLES.includes(a.role as Role) && !a.disabled,
            )}
            gates={gates.data ?? []}
            onCreated={() => void subscriptions.reload()}
          />
        )
      )}
    </div>
  );
}

const eventLabel = (t: Translate, event: string) => label(t, 'webhookEvent', event);

/** The subscriptions, newest first; each opens its delivery log, and is deleted after a confirmation (Esc cancels). */
function SubscriptionTable(props: {
  t: Translate;
  subscriptions: Subscription[];
  open: string | undefined;
  /** Beside an open log, the list keeps URL, owner and buttons; events, gates and time stand under the URL in short. */
  compact: boolean;
  ownerName?: (accountId: string) => string;
  onDeleting: () => void;
  onDeleted: (subscription: Subscription) => Promise<void>;
}) {
  const { t, ownerName } = props;
  const [confirming, setConfirming] = useState<string | undefined>();
  const confirmButton = useRef<HTMLButtonElement>(null);
  const remove = useChange(async (headers, s: Subscription) => {
    await ok(api.DELETE('/v1/webhooks/{id}', { params: { path: { id: s.id } }, headers }));
    setConfirming(undefined);
    await props.onDeleted(s);
  });
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  const stopConfirming = (id: string) => {
    setConfirming(undefined);
    remove.clear();
    document.querySelector<HTMLElement>(`[data-delete="${id}"]`)?.focus();
  };
  const columns = [
    t('webhooks.url'),
    ...(ownerName ? [t('webhooks.owner')] : []),
    { name: t('webhooks.events'), class: 'wide-only' },
    { name: t('webhooks.gates'), class: 'wide-only' },
    { name: t('webhooks.created'), class: 'wide-only' },
  ];

  return (
    <>
      <Table class={`webhooks-table${props.compact ? ' compact' : ''}`} columns={columns} actions={t('webhooks.actions')}>
        <tbody>
          {props.subscriptions.map((s) => {
            const gates = s.gates ? s.gates.join(', ') : t('webhooks.everyGate');
            return [
              <tr key={s.id} data-subscription={s.id} class={s.id === props.open ? 'opened' : undefined}>
                <th scope="row" class="url">
                  <code>{s.url}</code>
                  {/* A phone has no room for the events, gates and time: they stand under the URL in short. */}
                  <div class="phone-only sub">
                    {t('webhooks.eventCount', { n: s.events.length })} · {gates} · {localTime(s.createdAt, { seconds: false })}
                  </div>
                </th>
                {ownerName && (
                  <td data-owner>
                    {ownerName(s.accountId)}
                    <span class="sub">{label(t, 'role', s.role)}</span>
                  </td>
                )}
                <td class="wide-only">
                  <ul class="plain">
                    {s.events.map((e) => (
                      <li key={e}>{eventLabel(t, e)}</li>
                    ))}
                  </ul>
                </td>
                <td class="wide-only">{gates}</td>
                <td class="wide-only nowrap">{localTime(s.createdAt, { seconds: false })}</td>
                <td>
                  <div class="row-actions">
                    <a
                      class="button secondary"
                      href={`#/webhooks/${s.id}`}
                      aria-current={s.id === props.open ? 'true' : undefined}
                      aria-label={t('webhooks.openLogOf', { url: s.url })}
                    >
                      {t('webhooks.openLog')}
                    </a>
                    <button
                      type="button"
                      class="secondary-danger"
                      data-delete={s.id}
                      aria-label={t('webhooks.deleteOf', { url: s.url })}
                      onClick={() => (props.onDeleting(), setConfirming(s.id))}
                    >
                      {t('webhooks.delete')}
                    </button>
                  </div>
                </td>
              </tr>,
              confirming === s.id && (
                <tr key={`${s.id}-confirm`} class="confirm-row">
                  <td colSpan={columns.length + 1}>
                    <div
                      class="confirm"
                      role="group"
                      aria-labelledby={`confirm-${s.id}`}
                      onKeyDown={(e) => {
                        if (e.key !== 'Escape') return;
                        e.preventDefault();
                        stopConfirming(s.id);
                      }}
                    >
                      <p id={`confirm-${s.id}`}>{t('webhooks.confirmDelete', { url: s.url })}</p>
                      <ProblemNote problem={remove.problem} />
                      <div class="actions">
                        <button type="button" class="danger" ref={confirmButton} disabled={remove.busy} onClick={() => void remove.act(s)}>
                          {t('webhooks.confirmDeleteButton')}
                        </button>
                        <button type="button" class="secondary" onClick={() => stopConfirming(s.id)}>
                          {t('app.cancel')}
                        </button>
                      </div>
                      <p class="hint">{t('webhooks.escape')}</p>
                    </div>
                  </td>
                </tr>
              ),
            ];
          })}
        </tbody>
      </Table>
    </>
  );
}

/**
 * The form: URL, events, optional gates, and for an admin whose account it is (an agency's or partner's; the gates
 * offered are the ones that account serves). The API checks it; each field it faults is shown at that field.
 */
function NewSubscription(props: {
  t: Translate;
  account: Account;
  accounts: Account[];
  gates: { code: string; name: string }[];
  onCreated: () => void;
}) {
  const { t } = props;
  const admin = props.account.role === 'ADMIN';
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>([]);
  const [gates, setGates] = useState<string[]>([]);
  const [accountId, setAccountId] = useState('');
  const [created, setCreated] = useState<{ url: string; secret: string } | undefined>();
  const secretBox = useRef<HTMLElement>(null);
  const owner = props.accounts.find((a) => a.id === accountId);
  const gateChoices = admin && owner ? props.gates.filter((g) => owner.gates.includes(g.code)) : props.gates;

  const create = useChange(async (headers) => {
    const body: Schemas['NewWebhookSubscription'] = {
      url: url.trim(),
      events,
      ...(gates.length ? { gates } : {}),
      ...(admin && accountId ? { accountId } : {}),
    };
    const answer = await ok(api.POST('/v1/webhooks', { headers, body }));
    setCreated({ url: answer.url, secret: answer.secret });
    setUrl('');
    setEvents([]);
    setGates([]);
    props.onCreated();
    setTimeout(() => secretBox.current?.focus(), 0);
  });
  const errorOf = useFieldErrors(create.problem);
  const gatesError = create.problem?.errors.find((e) => e.path === 'gates' || e.path.startsWith('gates.'));
  const gatesErrorText = gatesError && `${gateOf(gatesError.path, gates)}${errorOf(gatesError.path)}`;
  const eventsError = errorOf('events');

  return (
    <section class="panel" aria-labelledby="new-webhook-title">
      {created && <SecretBox t={t} created={created} boxRef={secretBox} onDismiss={() => setCreated(undefined)} />}
      <h2 id="new-webhook-title">{t(admin ? 'webhooks.newForAccount' : 'webhooks.new')}</h2>
      <form
        class="webhook-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setCreated(undefined);
          void create.act();
        }}
      >
        <div class="choices">
          {admin && (
            <Field id="wh-account" label={t('webhooks.account')} note={t('webhooks.accountNote')} error={errorOf('accountId')}>
              <select
                id="wh-account"
                value={accountId}
                aria-invalid={errorOf('accountId') ? 'true' : undefined}
                aria-describedby={describedBy('wh-account', errorOf('accountId'), 'note')}
                onChange={(e) => {
                  setAccountId(e.currentTarget.value);
                  setGates([]);
                }}
              >
                <option value="">{t('webhooks.pickAccount')}</option>
                {props.accounts.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.username}
                    {a.displayName ? ` (${a.displayName})` : ''} — {label(t, 'role', a.role)}
                  </option>
                ))}
              </select>
            </Field>
          )}
          <Field id="wh-url" label={t('webhooks.url')} note={t('webhooks.urlNote')} error={errorOf('url')}>
            <input
              id="wh-url"
              type="url"
              inputMode="url"
              autoComplete="off"
              spellcheck={false}
              placeholder="https://"
              value={url}
              aria-required="true"
              aria-invalid={errorOf('url') ? 'true' : undefined}
              aria-describedby={describedBy('wh-url', errorOf('url'), 'note')}
              onInput={(e) => setUrl(e.currentTarget.value)}
            />
          </Field>
        </div>
        <div class="choices">
          <fieldset
            id="wh-events"
            class={`pick-list${eventsError ? ' invalid' : ''}`}
            aria-describedby={eventsError ? 'wh-events-error' : undefined}
          >
            <legend>{t('webhooks.events')}</legend>
            {WEBHOOK_EVENTS.map((e) => (
              <div class="field checkbox" key={e}>
                <input
                  type="checkbox"
                  id={`wh-event-${e}`}
                  checked={events.includes(e)}
                  aria-invalid={eventsError ? 'true' : undefined}
                  onChange={(ev) => {
                    const on = ev.currentTarget.checked;
                    setEvents((now) => (on ? [...now, e] : now.filter((x) => x !== e)));
                  }}
                />
                <label for={`wh-event-${e}`}>
                  {eventLabel(t, e)} <code class="muted">{e}</code>
                </label>
              </div>
            ))}
            {eventsError && (
              <p class="field-error" id="wh-events-error">
                {eventsError}
              </p>
            )}
          </fieldset>
          <fieldset
            id="wh-gates"
            class={`pick-list${gatesErrorText ? ' invalid' : ''}`}
            aria-describedby={gatesErrorText ? 'wh-gates-note wh-gates-error' : 'wh-gates-note'}
          >
            <legend>{t('webhooks.gatesOptional')}</legend>
            <p class="field-note" id="wh-gates-note">
              {t(admin ? 'webhooks.gatesNoteAccount' : 'webhooks.gatesNote')}
            </p>
            <div class="pick-scroll">
              {gateChoices.map((g) => (
                <div class="field checkbox" key={g.code}>
                  <input
                    type="checkbox"
                    id={`wh-gate-${g.code}`}
                    checked={gates.includes(g.code)}
                    aria-invalid={gatesErrorText ? 'true' : undefined}
                    onChange={(ev) => {
                      const on = ev.currentTarget.checked;
                      setGates((now) => (on ? [...now, g.code] : now.filter((x) => x !== g.code)));
                    }}
                  />
                  <label for={`wh-gate-${g.code}`}>
                    {g.name} ({g.code})
                  </label>
                </div>
              ))}
            </div>
            {gatesErrorText && (
              <p class="field-error" id="wh-gates-error">
                {gatesErrorText}
              </p>
            )}
          </fieldset>
        </div>
        <ProblemNote problem={create.problem} />
        <div class="actions">
          <button type="submit" disabled={create.busy}>
            {t('webhooks.create')}
          </button>
        </div>
      </form>
    </section>
  );
}

/** `gates.1` names the second gate picked: the error says which one, before its sentence. */
function gateOf(path: string, picked: string[]): string {
  const index = Number(path.split('.')[1]);
  return Number.isInteger(index) && picked[index] ? `${picked[index]}: ` : '';
}

/** The new subscription's secret, once: with a copy button, and the sentence that it will not be shown again. */
function SecretBox(props: {
  t: Translate;
  created: { url: string; secret: string };
  boxRef: { current: HTMLElement | null };
  onDismiss: () => void;
}) {
  const { t, created } = props;
  const [copied, setCopied] = useState<'copied' | 'select' | undefined>();
  const value = useRef<HTMLElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied('copied');
    } catch {
      // No clipboard for this page (a browser that refuses it): the secret is selected for the person to copy.
      const range = document.createRange();
      if (value.current) range.selectNodeContents(value.current);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
      setCopied('select');
    }
  };
  return (
    <section class="secret" aria-labelledby="secret-title" tabIndex={-1} ref={props.boxRef}>
      <h2 id="secret-title">{t('webhooks.secretTitle')}</h2>
      <p>{t('webhooks.secretFor', { url: created.url })}</p>
      <p class="secret-once">
        <strong>{t('webhooks.secretOnce')}</strong>
      </p>
      <div class="secret-line">
        <code class="secret-value" ref={value} data-secret>
          {created.secret}
        </code>
        <button type="button" onClick={() => void copy()}>
          {t('webhooks.copy')}
        </button>
      </div>
      <p role="status" class="hint">
        {copied === 'copied' ? t('webhooks.copied') : copied === 'select' ? t('webhooks.copySelect') : ''}
      </p>
      <p class="hint">{t('webhooks.secretUse')}</p>
      <button type="button" class="secondary" onClick={props.onDismiss}>
        {t('webhooks.secretDone')}
      </button>
    </section>
  );
}

const STATUS_TONE: Record<DeliveryStatus, string> = { PENDING: 'step-waiting', DELIVERED: 'step-approved', FAILED: 'step-denied' };
export function DeliveryBadge({ status }: { status: DeliveryStatus }) {
  const t = useT();
  return <span class={`badge ${STATUS_TONE[status]}`}>{label(t, 'delivery', status)}</span>;
}

/**
 * The receiver's last answer: its status code (the worker's error for one, `answered 500`, says no more), or, when it
 * gave none, why (refused, timed out), in the worker's words.
 */
function answerOf(t: Translate, a: { statusCode: number | null; error: string | null }): string {
  if (a.statusCode !== null) return `HTTP ${a.statusCode}`;
  return a.error ?? t('app.none');
}

/**
 * One subscription's delivery log, newest first, read again every two seconds: each event, its crossing (a link to
 * the truck's card for an account that reads crossings; a partner reads none), its status in words, the attempts
 * (each one's time, answer and duration behind a button), the last answer and the next attempt; a FAILED event is
 * sent again with its button.
 */
function DeliveryLog(props: { t: Translate; id: string; subscription: Subscription | undefined; account: Account }) {
  const { t, id } = props;
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [done, setDone] = useState<string | undefined>();
  const heading = useRef<HTMLHeadingElement>(null);
  const log = useLoad(
    () => ok(api.GET('/v1/webhooks/{id}/deliveries', { params: { path: { id }, query: { limit: 100, ...(status ? { status } : {}) } } })),
    [id, status],
    LOG_POLL_MS,
  );
  const retry = useChange(async (headers, d: Delivery) => {
    setDone(undefined);
    await ok(api.POST('/v1/webhooks/{id}/deliveries/{eventId}/retry', { params: { path: { id, eventId: d.eventId } }, headers }));
    setDone(t('webhooks.retried', { event: eventLabel(t, d.event) }));
    await log.reload();
  });
  useEffect(() => heading.current?.focus(), [id]);
  const readsCrossings = props.account.role !== 'PARTNER';
  const toggle = (eventId: string) =>
    setExpanded((now) => {
      const next = new Set(now);
      if (!next.delete(eventId)) next.add(eventId);
      return next;
    });
  const columns = [
    t('webhooks.event'),
    { name: t('webhooks.crossing'), class: 'wide-only' },
    t('webhooks.status'),
    t('webhooks.attempts'),
    { name: t('webhooks.lastAnswer'), class: 'wide-only' },
    { name: t('webhooks.nextAttempt'), class: 'wide-only' },
  ];
  const items = log.data ?? [];
  const at = (iso: string) => dayOrClock(iso, new Date(), { seconds: true });
  const lastAnswer = (d: Delivery) =>
    d.lastStatusCode !== null || d.lastError ? answerOf(t, { statusCode: d.lastStatusCode, error: d.lastError }) : t('app.none');

  return (
    <section class="panel delivery-log" aria-labelledby="log-title">
      <div class="card-head">
        <h2 id="log-title" tabIndex={-1} ref={heading}>
          {t('webhooks.logTitle')}
        </h2>
        <a class="button secondary" href="#/webhooks">
          {t('webhooks.closeLog')}
        </a>
      </div>
      {props.subscription && (
        <p class="log-of">
          <code>{props.subscription.url}</code>
        </p>
      )}
      <div class="inline-form">
        <Field id="log-status" label={t('webhooks.filter')}>
          <select id="log-status" value={status} onChange={(e) => setStatus(e.currentTarget.value as DeliveryStatus | '')}>
            <option value="">{t('webhooks.filterAll')}</option>
            {DELIVERY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {label(t, 'delivery', s)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <ProblemNote problem={log.problem ?? retry.problem} onRetry={log.problem ? () => void log.reload() : undefined} />
      {done && (
        <p class="saved" role="status">
          {done}
        </p>
      )}
      {log.loading && !log.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty>{t(status ? 'webhooks.logEmptyFiltered' : 'webhooks.logEmpty')}</Empty>
      ) : (
        <Table class="deliveries-table" columns={columns}>
          <tbody>
            {items.map((d) => [
              <tr key={d.eventId} data-event={d.eventId} data-status={d.status}>
                <th scope="row">
                  {eventLabel(t, d.event)}
                  <span class="sub">{at(d.at)}</span>
                  <code class="sub wide-only">{d.event}</code>
                </th>
                <td class="wide-only">
                  {!d.crossingId ? (
                    t('webhooks.gateEvent', { gate: d.gate })
                  ) : readsCrossings ? (
                    <a href={`#/crossings/${d.crossingId}`} aria-label={t('webhooks.openCrossing', { id: d.crossingId })}>
                      <code>{d.crossingId.slice(0, 8)}</code>
                    </a>
                  ) : (
                    <code title={d.crossingId}>{d.crossingId.slice(0, 8)}</code>
                  )}
                  <span class="sub">{d.gate}</span>
                </td>
                <td class="delivery-status">
                  <DeliveryBadge status={d.status} />
                  {d.status === 'DELIVERED' && d.deliveredAt && <span class="sub">{at(d.deliveredAt)}</span>}
                  {/* A phone has no room for the last answer and the next attempt: they stand under the status. */}
                  <div class="phone-only sub">
                    {lastAnswer(d)}
                    {d.status === 'PENDING' && d.nextAttemptAt && ` · ${t('webhooks.nextAt', { time: at(d.nextAttemptAt) })}`}
                    {d.waitingBehind && ` · ${t('webhooks.waitingBehind')}`}
                  </div>
                  {d.status === 'FAILED' && (
                    <button
                      type="button"
                      class="retry"
                      disabled={retry.busy}
                      aria-label={t('webhooks.retryOf', { event: eventLabel(t, d.event), time: at(d.at) })}
                      onClick={() => void retry.act(d)}
                    >
                      {t('webhooks.retry')}
                    </button>
                  )}
                </td>
                <td>
                  <button
                    type="button"
                    class="secondary attempts-toggle"
                    aria-expanded={expanded.has(d.eventId) ? 'true' : 'false'}
                    aria-controls={`attempts-${d.eventId}`}
                    aria-label={t('webhooks.showAttempts', { n: d.attempts, event: eventLabel(t, d.event) })}
                    disabled={d.attemptLog.length === 0}
                    onClick={() => toggle(d.eventId)}
                  >
                    {d.attempts} {expanded.has(d.eventId) ? '▴' : '▾'}
                  </button>
                </td>
                <td class="wide-only">{lastAnswer(d)}</td>
                <td class="wide-only">
                  {d.status === 'PENDING' && d.nextAttemptAt ? (
                    <>
                      <span class="nowrap">{at(d.nextAttemptAt)}</span>
                      <span class="sub">{fromNow(t, d.nextAttemptAt)}</span>
                    </>
                  ) : d.waitingBehind ? (
                    t('webhooks.waitingBehind')
                  ) : (
                    t('app.none')
                  )}
                </td>
              </tr>,
              expanded.has(d.eventId) && (
                <tr key={`${d.eventId}-attempts`} class="attempts-row" id={`attempts-${d.eventId}`}>
                  <td colSpan={columns.length}>
                    <ol class="attempt-log" aria-label={t('webhooks.attemptLog', { event: eventLabel(t, d.event) })}>
                      {d.attemptLog.map((a, i) => (
                        <li key={i}>
                          <span class="nowrap">{at(a.at)}</span> · <strong>{answerOf(t, a)}</strong> ·{' '}
                          <span class="nowrap">{t('webhooks.duration', { ms: a.durationMs })}</span>
                        </li>
                      ))}
                    </ol>
                  </td>
                </tr>
              ),
            ])}
          </tbody>
        </Table>
      )}
      {log.updatedAt && (
        <p class="updated" aria-live="polite">
          {t('app.updated', { time: clockTime(log.updatedAt) })}
        </p>
      )}
    </section>
  );
}
