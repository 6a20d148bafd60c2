import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, Problem, type Account, type Read, type Schemas } from '../http/client';
import { label, useT, type Translate } from '../i18n';
import { parseDuration } from '../../../domain/durations';
import { clockTime, dayOrClock, fromNow, localTime, since, span } from '../ui/format';
import { useChange, useLoad } from '../ui/hooks';
import { CategoryBadge, describedBy, Empty, Field, GatePicker, Loading, ProblemNote, useFieldErrors } from '../ui/parts';
import { QueueStatusBadge } from '../ui/queue-place';
import { useServedGates } from '../ui/served-gates';
import { Table } from '../ui/table';

type Gate = Read<'Gate'>;
type GateQueue = Schemas['GateQueue'];
type Entry = Schemas['QueueEntry'];
type Direction = Entry['direction'];
const DIRECTIONS: Direction[] = ['EXPORT', 'IMPORT'];

/** How often the call-forward queue is read again: a call, an arrival or a no-show is on screen within this. */
export const GATE_QUEUE_POLL_MS = 2000;
/** The gates' yards and settings change rarely; read again at the board's pace. */
const GATES_POLL_MS = 5000;

/**
 * The call-forward queue of a gate (the virtual queue of API.md, "The virtual queue"; not an agency's work queue, which
 * is `queue.tsx`): per direction, the trucks called forward (on their way or arrived) first, then the waiting ones in
 * the order they will be called, with their estimated call. The manager closes the gate here (a reason, an expected
 * reopening) and reopens it; the API says who may, and its refusals are shown as it words them.
 */
export function GateQueueScreen({ account }: { account: Account }) {
  const t = useT();
  // The board links here with its gate (`#/gate-queue?gate=HUU_NGHI`).
  const { gates, served, current, pick, nameOf, info } = useServedGates(account, GATES_POLL_MS);
  const queue = useLoad(
    () => (current ? ok(api.GET('/v1/gates/{code}/queue', { params: { path: { code: current } } })) : Promise.resolve(undefined)),
    [current],
    GATE_QUEUE_POLL_MS,
  );
  const [direction, setDirection] = useState<Direction>('EXPORT');
  const entries = (queue.data?.entries ?? []).filter((e) => e.direction === direction);
  const atGate = entries.filter((e) => e.status === 'CALLED' || e.status === 'ARRIVED');
  const waiting = entries.filter((e) => e.status === 'WAITING' || e.status === 'NO_SHOW');
  const count = (d: Direction) => (queue.data?.entries ?? []).filter((e) => e.direction === d).length;

  return (
    <div class="workspace single gate-queue">
      <section class="panel" aria-labelledby="gate-queue-title">
        <div class="card-head">
          <h1 id="gate-queue-title">{t('gateQueue.title', { gate: nameOf(current) })}</h1>
          <GatePicker id="gate-queue-gate" gates={served} value={current} nameOf={nameOf} onChange={pick} />
        </div>
        <ProblemNote problem={gates.problem ?? queue.problem} onRetry={() => void (gates.problem ? gates.reload() : queue.reload())} />
        {!current ? (
          gates.loading ? (
            <Loading />
          ) : (
            !gates.problem && <Empty>{t('board.noGate')}</Empty>
          )
        ) : !queue.data ? (
          queue.loading && <Loading />
        ) : (
          <>
            <GateState
              key={current}
              t={t}
              code={current}
              name={nameOf(current)}
              queue={queue.data}
              manages={account.role === 'MANAGER'}
              onChanged={() => void queue.reload()}
            />
            {!queue.data.keepsQueue ? (
              <Empty>{t('gateQueue.noQueue')}</Empty>
            ) : (
              <>
                <Rules t={t} info={info} />
                <div class="segmented" role="group" aria-label={t('gateQueue.direction')}>
                  {DIRECTIONS.map((d) => (
                    <button
                      key={d}
                      type="button"
                      class="secondary"
                      aria-pressed={d === direction}
                      data-direction={d}
                      onClick={() => setDirection(d)}
                    >
                      {t('gateQueue.directionCount', { direction: label(t, 'direction', d), n: count(d) })}
                    </button>
                  ))}
                </div>
                <AtGate t={t} entries={atGate} />
                <Waiting t={t} entries={waiting} />
              </>
            )}
          </>
        )}
        {queue.updatedAt && (
          <p class="updated" aria-live="polite">
            {t('app.updated', { time: clockTime(queue.updatedAt) })}
          </p>
        )}
      </section>
    </div>
  );
}

/** The gate's settings as sentences, and its yards: why trucks are (or are not) being called. */
function Rules({ t, info }: { t: Translate; info: Gate | undefined }) {
  if (!info?.queue) return null;
  const within = parseDuration(info.queue.arriveWithin);
  return (
    <>
      <p class="hint">
        {t('gateQueue.order', { n: info.queue.priorityPerRegular })}{' '}
        {t('gateQueue.rules', { within: within === null ? info.queue.arriveWithin : span(t, within / 1000), n: info.queue.noShowRequeues })}
      </p>
      {info.yards.length > 0 && (
        <p class="hint yards-line">
          {t('gateQueue.yards')}{' '}
          {info.yards.map((y, i) => {
            const free = Math.max(0, y.capacity - y.occupied - y.reserved);
            return (
              <span key={y.code} data-yard={y.code}>
                {i > 0 && ' · '}
                {t('gateQueue.yard', { code: y.code, free, capacity: y.capacity })}
                {free === 0 && (
                  <>
                    {' '}
                    <span class="badge step-overdue">{t('gateQueue.yardFull')}</span>
                  </>
                )}
              </span>
            );
          })}
        </p>
      )}
    </>
  );
}

/**
 * Open or closed, and the manager's close and reopen. Closing asks for a reason (drivers read it in their SMS) and,
 * if known, the expected reopening, in the gate's time. A 400 is shown at its field; a 409 (someone else closed or
 * reopened it meanwhile) says so and shows the gate as it now stands.
 */
function GateState(props: { t: Translate; code: string; name: string; queue: GateQueue; manages: boolean; onChanged: () => void }) {
  const { t, code, queue } = props;
  const [closing, setClosing] = useState(false);
  const [reason, setReason] = useState('');
  const [reopenAt, setReopenAt] = useState('');
  const [done, setDone] = useState<string | undefined>();
  const [conflicted, setConflicted] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const reasonInput = useRef<HTMLInputElement>(null);
  const doneNote = useRef<HTMLParagraphElement>(null);
  const wasClosing = useRef(false);

  useEffect(() => {
    if (closing) reasonInput.current?.focus();
    else if (wasClosing.current && !done) opener.current?.focus();
    wasClosing.current = closing;
  }, [closing]);

  // Closed meanwhile (by someone else, or on another screen): the form to close it has nothing left to do.
  useEffect(() => {
    if (!queue.open) setClosing(false);
  }, [queue.open]);

  const afterChange = (sentence: string) => {
    setDone(sentence);
    setConflicted(false);
    props.onChanged();
    setTimeout(() => doneNote.current?.focus(), 0);
  };
  // A refusal because the gate changed meanwhile: the screen shows the gate as it now is, beside the API's sentence.
  const refused = (err: unknown) => {
    if (err instanceof Problem && err.status === 409) {
      setConflicted(true);
      setClosing(false);
      props.onChanged();
    }
    throw err;
  };
  const close = useChange(async (headers) => {
    setDone(undefined);
    await ok(
      api.POST('/v1/gates/{code}/closure', {
        params: { path: { code } },
        headers,
        body: { reason, ...(reopenAt ? { expectedReopenAt: `${reopenAt}:00+07:00` } : {}) },
      }),
    ).catch(refused);
    setClosing(false);
    setReason('');
    setReopenAt('');
    afterChange(t('gateQueue.closedDone'));
  });
  const reopen = useChange(async (headers) => {
    setDone(undefined);
    await ok(api.DELETE('/v1/gates/{code}/closure', { params: { path: { code } }, headers })).catch(refused);
    afterChange(t('gateQueue.reopenedDone'));
  });
  const errorOf = useFieldErrors(close.problem);
  const problem = close.problem ?? reopen.problem;
  const fieldProblem = !!close.problem && close.problem.status === 400 && close.problem.errors.length > 0;

  return (
    <section
      class={`gate-state ${queue.open ? 'is-open' : 'is-closed'}`}
      data-gate-state={queue.open ? 'open' : 'closed'}
      aria-labelledby="gate-state-title"
    >
      <h2 id="gate-state-title">
        <span class={`badge ${queue.open ? 'status-cleared' : 'step-denied'}`}>
          {queue.open ? t('gateQueue.isOpen') : t('gateQueue.isClosed')}
        </span>{' '}
        {queue.open ? t('gateQueue.open') : t('gateQueue.closed', { time: localTime(queue.closure?.closedAt, { seconds: false }) })}
      </h2>
      {queue.closure && (
        <dl class="facts closure">
          <div>
            <dt>{t('gateQueue.reason')}</dt>
            <dd data-closure="reason">{queue.closure.reason}</dd>
          </div>
          <div>
            <dt>{t('gateQueue.reopenAt')}</dt>
            <dd data-closure="expectedReopenAt">
              {queue.closure.expectedReopenAt ? (
                <time dateTime={queue.closure.expectedReopenAt}>
                  {localTime(queue.closure.expectedReopenAt, { seconds: false })} ({fromNow(t, queue.closure.expectedReopenAt)})
                </time>
              ) : (
                t('gateQueue.reopenUnknown')
              )}
            </dd>
          </div>
        </dl>
      )}
      {done && (
        <p class="saved" role="status" tabIndex={-1} ref={doneNote}>
          {done}
        </p>
      )}
      {conflicted && <p class="field-error">{t('gateQueue.conflict')}</p>}
      {problem && !fieldProblem && <ProblemNote problem={problem} />}
      {props.manages && queue.open && !closing && (
        <div class="actions">
          <button
            type="button"
            class="danger"
            ref={opener}
            onClick={() => {
              close.clear();
              reopen.clear();
              setConflicted(false);
              setDone(undefined);
              setClosing(true);
            }}
          >
            {t('gateQueue.close')}
          </button>
        </div>
      )}
      {props.manages && closing && queue.open && (
        <form
          class="close-form"
          aria-labelledby="close-form-title"
          onSubmit={(e) => {
            e.preventDefault();
            void close.act();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              setClosing(false);
            }
          }}
        >
          <h3 id="close-form-title">{t('gateQueue.closeTitle', { gate: props.name })}</h3>
          <p class="hint">{t('gateQueue.closeExplain')}</p>
          {fieldProblem && <ProblemNote problem={close.problem} />}
          <Field id="close-reason" label={t('gateQueue.reason')} note={t('gateQueue.reasonNote')} error={errorOf('reason')}>
            <input
              id="close-reason"
              ref={reasonInput}
              value={reason}
              maxLength={500}
              list="close-reasons"
              aria-required="true"
              aria-invalid={errorOf('reason') ? 'true' : undefined}
              aria-describedby={describedBy('close-reason', errorOf('reason'), 'note')}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
            <datalist id="close-reasons">
              <option value={t('gateQueue.suggestOtherSide')} />
              <option value={t('gateQueue.suggestWeather')} />
              <option value={t('gateQueue.suggestHoliday')} />
            </datalist>
          </Field>
          <Field
            id="close-reopen"
            label={t('gateQueue.reopenAtOptional')}
            note={t('gateQueue.reopenAtNote')}
            error={errorOf('expectedReopenAt')}
          >
            <input
              id="close-reopen"
              type="datetime-local"
              value={reopenAt}
              aria-invalid={errorOf('expectedReopenAt') ? 'true' : undefined}
              aria-describedby={describedBy('close-reopen', errorOf('expectedReopenAt'), 'note')}
              onInput={(e) => setReopenAt(e.currentTarget.value)}
            />
          </Field>
          <div class="actions">
            <button type="submit" class="danger" disabled={close.busy}>
              {t('gateQueue.confirmClose')}
            </button>
            <button type="button" class="secondary" onClick={() => setClosing(false)}>
              {t('app.cancel')}
            </button>
          </div>
          <p class="hint">{t('gateQueue.escape')}</p>
        </form>
      )}
      {props.manages && !queue.open && (
        <div class="actions">
          <button type="button" disabled={reopen.busy} onClick={() => void reopen.act()}>
            {t('gateQueue.reopen')}
          </button>
        </div>
      )}
    </section>
  );
}

const plateLink = (t: Translate, e: Entry) => (
  <a class="plate" href={`#/crossings/${e.crossingId}`} title={t('queue.open', { plate: e.plate })}>
    {e.plate}
  </a>
);

/** On a phone, whose tables leave out the category column, a priority truck is still marked beside its plate. */
const PhonePriority = ({ t, entry }: { t: Translate; entry: Entry }) =>
  entry.priority ? <span class="badge category-priority phone-only">{label(t, 'category', 'PRIORITY')}</span> : null;

const noShowCell = (t: Translate, e: Entry) =>
  e.noShows > 0 ? <span class="badge step-returned">{t('gateQueue.noShowCount', { n: e.noShows })}</span> : '0';

/** The trucks called forward: on their way (to be at the gate by `arriveBy`, late ones marked) or arrived. */
function AtGate({ t, entries }: { t: Translate; entries: Entry[] }) {
  const now = Date.now();
  return (
    <section aria-labelledby="at-gate-title">
      <h2 id="at-gate-title">{t('gateQueue.atGate', { n: entries.length })}</h2>
      {entries.length === 0 ? (
        <Empty>{t('gateQueue.noneAtGate')}</Empty>
      ) : (
        <Table
          class="called-table"
          columns={[
            t('queue.plate'),
            t('queue.category'),
            t('gateQueue.status'),
            t('gateQueue.calledAt'),
            t('gateQueue.arriveBy'),
            t('gateQueue.noShows'),
          ]}
        >
          <tbody>
            {entries.map((e) => {
              const late = e.status === 'CALLED' && !!e.arriveBy && Date.parse(e.arriveBy) < now;
              return (
                <tr key={e.crossingId} data-crossing={e.crossingId} data-status={e.status} class={late ? 'overdue' : undefined}>
                  <th scope="row">
                    {plateLink(t, e)}
                    <PhonePriority t={t} entry={e} />
                  </th>
                  <td>
                    <CategoryBadge category={e.category} />
                  </td>
                  <td>
                    <QueueStatusBadge status={e.status} />
                  </td>
                  <td class="nowrap">{dayOrClock(e.calledAt)}</td>
                  <td>
                    {e.status === 'ARRIVED' || !e.arriveBy ? (
                      t('app.none')
                    ) : (
                      <>
                        <time dateTime={e.arriveBy}>{dayOrClock(e.arriveBy)}</time>{' '}
                        {late ? (
                          <span class="badge step-overdue">{t('gateQueue.late')}</span>
                        ) : (
                          <span class="sub">{fromNow(t, e.arriveBy)}</span>
                        )}
                      </>
                    )}
                  </td>
                  <td>{noShowCell(t, e)}</td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      )}
    </section>
  );
}

/** The trucks waiting for their call, in the order they will be called; a truck that missed a call is marked. */
function Waiting({ t, entries }: { t: Translate; entries: Entry[] }) {
  return (
    <section aria-labelledby="waiting-title">
      <h2 id="waiting-title">{t('gateQueue.waiting', { n: entries.length })}</h2>
      {entries.length === 0 ? (
        <Empty>{t('gateQueue.noneWaiting')}</Empty>
      ) : (
        <Table
          class="waiting-table"
          columns={[
            t('gateQueue.position'),
            t('queue.plate'),
            t('queue.category'),
            t('gateQueue.joinedAt'),
            t('gateQueue.estimate'),
            t('gateQueue.noShows'),
          ]}
        >
          <tbody>
            {entries.map((e) => (
              <tr key={e.crossingId} data-crossing={e.crossingId} data-status={e.status} data-position={e.position ?? ''}>
                <td class="position">{e.position ?? t('app.none')}</td>
                <th scope="row">
                  {plateLink(t, e)}
                  <PhonePriority t={t} entry={e} />
                  {e.status === 'NO_SHOW' && (
                    <>
                      {' '}
                      <QueueStatusBadge status={e.status} />
                    </>
                  )}
                </th>
                <td>
                  <CategoryBadge category={e.category} />
                </td>
                <td>
                  <span class="nowrap">{dayOrClock(e.joinedAt)}</span>
                  <span class="sub">{t('gateQueue.waited', { span: since(t, e.joinedAt) })}</span>
                </td>
                <td>
                  {e.estimatedCallAt ? (
                    <>
                      <time dateTime={e.estimatedCallAt}>{dayOrClock(e.estimatedCallAt)}</time>
                      <span class="sub">{fromNow(t, e.estimatedCallAt)}</span>
                    </>
                  ) : (
                    <span class="muted">{t('gateQueue.noEstimate')}</span>
                  )}
                </td>
                <td>{noShowCell(t, e)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </section>
  );
}
