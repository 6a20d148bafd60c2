import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, openDocument, type Account, type CrossingView, type Schemas } from '../http/client';
import { label, useT, type Translate } from '../i18n';
import { stepsOf } from '../../../domain/steps';
import type { Role } from '../../../domain/roles';
import { localTime, vnd } from '../ui/format';
import { useAction, useLoad } from '../ui/hooks';
import { Table } from '../ui/table';
import { CategoryBadge, ChannelBadge, Loading, ProblemNote, StatusBadge, StepBadge } from '../ui/parts';
import { homeOf } from '../roles';
import { QueuePlaceText } from '../ui/queue-place';
import { navigate } from '../ui/router';
import { channelOpen, CustomsChannelPanel } from './customs-channel';
import { DecisionPanel } from './decision-panel';
import { DeclarantActions } from './declarant-actions';

const ENDED = ['CLEARED', 'DENIED', 'EXPIRED', 'CANCELLED'];
/** Who may read a crossing's history (API.md: MANAGER, ADMIN, the owner). */
const READS_HISTORY = ['MANAGER', 'ADMIN', 'DECLARANT'];

type HistoryItem = Schemas['CrossingHistory']['items'][number];

/**
 * A truck's card: what the reader's role may see of the crossing (the API filters it), where it stands, what changed
 * since the previous declaration version, the history where the role may read it, and the actions the role has now.
 */
export function CrossingCard(props: { id: string; account: Account; onClose?: () => void; onDecided?: () => void }) {
  const t = useT();
  const { id, account } = props;
  const crossing = useLoad(() => ok(api.GET('/v1/crossings/{id}', { params: { path: { id } } })), [id], 3000);
  const history = useLoad(
    async () =>
      READS_HISTORY.includes(account.role)
        ? (await ok(api.GET('/v1/crossings/{id}/history', { params: { path: { id } } }))).items
        : undefined,
    [id],
  );
  // The history is read again when the crossing changes, keeping the old one on screen meanwhile.
  const changedAt = crossing.data?.updatedAt;
  useEffect(() => {
    if (changedAt) void history.reload();
  }, [changedAt]);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [id]);

  // Said here rather than in the channel's panel: a green channel at customs-inspection passes it, and the panel goes.
  const [channelSet, setChannelSet] = useState<string | undefined>();

  const view = crossing.data;
  return (
    <section class="panel card" aria-labelledby={`card-${id}`}>
      <div class="card-head">
        <h2 id={`card-${id}`} ref={heading} tabIndex={-1}>
          {t('card.title', { plate: view?.declaration.vehicle.plate ?? '…' })}
        </h2>
        {props.onClose && (
          <button type="button" class="secondary" onClick={props.onClose}>
            {t('app.close')}
          </button>
        )}
      </div>
      <ProblemNote problem={crossing.problem} onRetry={() => void crossing.reload()} />
      {!view ? (
        crossing.loading && <Loading />
      ) : (
        <>
          <Summary t={t} view={view} />
          {view.incident && <p class="problem">{t('card.incident', { message: view.incident.message, retries: view.incident.retries })}</p>}
          {account.role === 'CUSTOMS_OFFICER' && channelOpen(view) && (
            <CustomsChannelPanel
              view={view}
              onChanged={(sentence) => {
                setChannelSet(sentence);
                void crossing.reload();
                props.onDecided?.();
              }}
            />
          )}
          {channelSet && (
            <p class="saved" role="status">
              {channelSet}
            </p>
          )}
          <DecisionPanel
            view={view}
            account={account}
            owns={!!view.currentStep && stepsOf(account.role as Role).includes(view.currentStep as never)}
            onDecided={() => {
              void crossing.reload();
              props.onDecided?.();
              props.onClose?.();
            }}
          />
          {(account.role === 'DECLARANT' || account.role === 'MANAGER') && !ENDED.includes(view.status) && (
            <DeclarantActions view={view} account={account} onChanged={() => void crossing.reload()} />
          )}
          <Arrivals t={t} view={view} />
          <Steps t={t} view={view} />
          <Returns t={t} view={view} />
          <Declaration t={t} view={view} />
          {view.fee && (
            <section>
              <h3>{t('card.fee')}</h3>
              <p>
                {vnd(view.fee.amountVnd)} · {label(t, 'collector', view.fee.collector)} · {label(t, 'fee', view.fee.status)}
                {view.fee.receiptNo ? ` · ${view.fee.receiptNo}` : ''}
              </p>
            </section>
          )}
          <Documents t={t} view={view} />
          {view.compensations.length > 0 && (
            <section>
              <h3>{t('card.compensations')}</h3>
              <ul>
                {view.compensations.map((c) => (
                  <li key={c.action}>
                    {label(t, 'undo', c.action)} · {label(t, 'undoStatus', c.status)} · {localTime(c.at)}
                  </li>
                ))}
              </ul>
            </section>
          )}
          {history.data && <History t={t} items={history.data} />}
          {!props.onClose && (
            <button type="button" class="secondary" onClick={() => navigate(backOf(account))}>
              {t('app.back')}
            </button>
          )}
        </>
      )}
    </section>
  );
}

/**
 * Where a card on a page of its own goes back to: the screen it is opened from. A border guard opens one from the
 * exception list (after linking a read); declarants from their trucks; managers and admins from the board.
 */
function backOf(account: Account): string {
  if (account.role === 'DECLARANT') return '/mine';
  if (account.role === 'BORDER_GUARD') return '/exceptions';
  return account.role === 'MANAGER' || account.role === 'ADMIN' ? '/board' : homeOf(account);
}

function Summary({ t, view }: { t: Translate; view: CrossingView }) {
  return (
    <dl class="summary">
      <div>
        <dt>{t('card.status')}</dt>
        <dd>
          <StatusBadge status={view.status} /> <CategoryBadge category={view.category} />
        </dd>
      </div>
      <div>
        <dt>{t('card.current')}</dt>
        <dd>{label(t, 'step', view.currentStep)}</dd>
      </div>
      <div>
        <dt>{t('card.gate')}</dt>
        <dd>
          {view.gate} · {label(t, 'direction', view.direction)}
        </dd>
      </div>
      <div>
        <dt>{t('card.channel')}</dt>
        <dd>
          <ChannelBadge channel={view.customsChannel} />
        </dd>
      </div>
      <div>
        <dt>{t('card.version')}</dt>
        <dd>{view.declarationVersion}</dd>
      </div>
      <div>
        <dt>{t('card.created')}</dt>
        <dd>{localTime(view.createdAt)}</dd>
      </div>
      {view.yardCode && (
        <div>
          <dt>{t('card.yard')}</dt>
          <dd>{view.yardCode}</dd>
        </div>
      )}
      {/* The call-forward queue's place, on a line of its own below the facts: what a waiting company looks for. */}
      {view.queue && (
        <div class="wide" data-card="queue">
          <dt>{t('card.queue')}</dt>
          <dd>
            <QueuePlaceText place={view.queue} />
          </dd>
        </div>
      )}
    </dl>
  );
}

function Steps({ t, view }: { t: Translate; view: CrossingView }) {
  return (
    <section>
      <h3>{t('card.steps')}</h3>
      <ol class="steps">
        {view.steps.map((s) => (
          <li key={s.step} class={s.step === view.currentStep ? 'current' : undefined}>
            <span class="step-name">{label(t, 'step', s.step)}</span> <StepBadge status={s.status} />
            <span class="step-times">
              {s.startedAt && ` ${t('card.started', { time: localTime(s.startedAt, { seconds: false }) })}`}
              {s.slaAt && ` · ${t('card.sla', { time: localTime(s.slaAt, { seconds: false }) })}`}
              {s.decidedAt && ` · ${t('card.decided', { time: localTime(s.decidedAt, { seconds: false }) })}`}
            </span>
            {s.decidedBy === 'system' && <span class="step-times"> · {t('card.bySystem')}</span>}
            {s.reason && <span class="step-reason"> — {s.reason}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** Where the gate's cameras and barriers saw the truck, oldest first; a read a border guard linked by hand says so. */
function Arrivals({ t, view }: { t: Translate; view: CrossingView }) {
  return (
    <section>
      <h3>{t('card.arrivals')}</h3>
      {view.arrivals.length === 0 ? (
        <p class="empty">{t('card.noArrivals')}</p>
      ) : (
        <ol class="steps arrivals">
          {view.arrivals.map((a) => (
            <li key={a.eventId}>
              <span class="step-name">{label(t, 'point', a.point)}</span>{' '}
              <span class="step-times">
                <time dateTime={a.at}>{localTime(a.at)}</time> · {t('card.device', { device: a.device })}
              </span>
              {a.confirmedBy && (
                <>
                  {' '}
                  <span class="badge step-returned">{t('card.confirmedByGuard')}</span>
                </>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Returns({ t, view }: { t: Translate; view: CrossingView }) {
  if (view.returns.length === 0) return null;
  return (
    <section>
      <h3>{t('card.returns')}</h3>
      <ul class="returns">
        {view.returns.map((r) => (
          <li key={r.at}>
            <p>{t('card.returnedAt', { step: label(t, 'step', r.step), time: localTime(r.at, { seconds: false }), reason: r.reason })}</p>
            <ul>
              {r.fields.map((f) => (
                <li key={f.path}>
                  <code>{f.path}</code>: {f.message}
                </li>
              ))}
            </ul>
            <p class="changed">
              {r.resolvedByVersion
                ? t('card.changed', { version: r.resolvedByVersion, fields: (r.changed ?? []).join(', ') || t('app.none') })
                : t('card.notChangedYet')}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The declaration's sections the role may see; the fields changed by the latest resubmission are marked. */
function Declaration({ t, view }: { t: Translate; view: CrossingView }) {
  const d = view.declaration;
  const latest = [...view.returns].reverse().find((r) => r.resolvedByVersion === view.declarationVersion);
  const changed = new Set(latest?.changed ?? []);
  const mark = (path: string) => (changed.has(path) ? <span class="badge changed">{t('card.changedField')}</span> : null);
  const row = (name: string, path: string, value: unknown) =>
    value === undefined || value === null || value === '' ? null : (
      <div key={path} class={changed.has(path) ? 'is-changed' : undefined}>
        <dt>{name}</dt>
        <dd>
          {Array.isArray(value) ? value.join(', ') || t('app.none') : String(value)} {mark(path)}
        </dd>
      </div>
    );
  return (
    <section>
      <h3>{t('card.declaration')}</h3>
      <dl class="facts">
        {row(t('card.customsNo'), 'customsDeclarationNo', d.customsDeclarationNo)}
        {row(t('form.priority'), 'priority', d.priority ? label(t, 'priority', d.priority.reason) : null)}
      </dl>
      <h4>{t('card.vehicle')}</h4>
      <dl class="facts">
        {row(t('form.plate'), 'vehicle.plate', d.vehicle.plate)}
        {row(t('form.trailerPlate'), 'vehicle.trailerPlate', d.vehicle.trailerPlate)}
        {row(t('form.country'), 'vehicle.country', d.vehicle.country)}
        {row(t('form.grossWeight'), 'vehicle.grossWeightKg', d.vehicle.grossWeightKg)}
      </dl>
      {d.driver && (
        <>
          <h4>{t('card.driver')}</h4>
          <dl class="facts">
            {row(t('form.fullName'), 'driver.fullName', d.driver.fullName)}
            {row(t('form.idNumber'), 'driver.idNumber', d.driver.idNumber)}
            {row(t('form.nationality'), 'driver.nationality', d.driver.nationality)}
            {row(t('form.phone'), 'driver.phone', d.driver.phone)}
          </dl>
        </>
      )}
      {d.health && (
        <>
          <h4>{t('card.health')}</h4>
          <dl class="facts">
            {row(t('form.temperature'), 'health.temperatureC', d.health.temperatureC)}
            {row(t('form.symptoms'), 'health.symptoms', d.health.symptoms)}
            {row(t('form.declaredAt'), 'health.declaredAt', localTime(d.health.declaredAt))}
          </dl>
        </>
      )}
      {d.containers && d.containers.length > 0 && (
        <>
          <h4>{t('card.containers')}</h4>
          <ul>
            {d.containers.map((c, i) => (
              <li key={c.number}>
                {c.number} · {c.sealNo} {mark(`containers.${i}.number`)}
              </li>
            ))}
          </ul>
        </>
      )}
      {d.goods && (
        <>
          <h4>{t('card.goods')}</h4>
          <Table
            columns={[t('form.hsCode'), t('form.description'), t('form.quantity'), t('form.netWeight'), t('form.value'), t('form.origin')]}
          >
            <tbody>
              {d.goods.map((g, i) => (
                <tr key={i} class={[...changed].some((p) => p.startsWith(`goods.${i}.`)) ? 'is-changed' : undefined}>
                  <td>{g.hsCode}</td>
                  <td>{g.description}</td>
                  <td>
                    {g.quantity} {g.unit} {mark(`goods.${i}.quantity`)}
                  </td>
                  <td>{g.netWeightKg}</td>
                  <td>{g.valueUsd}</td>
                  <td>{g.origin}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        </>
      )}
    </section>
  );
}

function Documents({ t, view }: { t: Translate; view: CrossingView }) {
  const download = useAction((kind: string, url: string) => openDocument(url, `${kind}-${view.declaration.vehicle.plate}.pdf`));
  if (view.documents.length === 0) return null;
  return (
    <section>
      <h3>{t('card.documents')}</h3>
      <ul class="documents">
        {view.documents.map((d) => (
          <li key={d.url}>
            <button type="button" class="secondary" onClick={() => void download.act(d.kind, d.url)}>
              {t('card.download', { name: label(t, 'doc', d.kind) })}
            </button>
          </li>
        ))}
      </ul>
      <ProblemNote problem={download.problem} />
    </section>
  );
}

function History({ t, items }: { t: Translate; items: HistoryItem[] }) {
  const [open, setOpen] = useState(false);
  return (
    <section>
      <details open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>
          {t('card.history')} ({items.length})
        </summary>
        {items.length === 0 ? (
          <p>{t('card.historyEmpty')}</p>
        ) : (
          <ol class="history">
            {items.map((e) => (
              <li key={e.seq}>
                <time dateTime={e.at}>{localTime(e.at)}</time> · {label(t, 'event', e.type)}
                {e.step ? ` · ${label(t, 'step', e.step)}` : ''}
                {e.actor
                  ? ` · ${e.actor.username ?? ''} (${label(t, 'role', e.actor.role)})`
                  : e.type === 'DECISION' && e.data?.channel
                    ? ` · ${t('card.bySystem')}`
                    : ''}
                {typeof e.data?.outcome === 'string' ? ` · ${e.data.outcome}` : ''}
                {typeof e.data?.channel === 'string' ? ` · ${label(t, 'channel', e.data.channel)}` : ''}
                {e.type === 'ARRIVED' && typeof e.data?.point === 'string'
                  ? ` · ${label(t, 'point', e.data.point)} · ${t('card.device', { device: String(e.data.device ?? '') })}${e.data.confirmedBy ? ` · ${t('card.confirmedByGuard')}` : ''}`
                  : ''}
                {typeof e.data?.source === 'string' ? ` · ${e.data.source}` : ''}
                {typeof e.data?.reason === 'string' ? ` — ${e.data.reason}` : ''}
              </li>
            ))}
          </ol>
        )}
      </details>
    </section>
  );
}
