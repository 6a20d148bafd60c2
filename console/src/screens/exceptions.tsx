import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Account, type Problem, type Schemas } from '../http/client';
import { label, language, useT, type Translate } from '../i18n';
import { readReason } from '../i18n/read-reasons';
import { clockTime, localTime } from '../ui/format';
import { useAction, useChange, useLoad } from '../ui/hooks';
import { describedBy, Empty, Field, Loading, ProblemNote, StatusBadge } from '../ui/parts';
import { useSignal } from '../ui/signal';

type GateEvent = Schemas['GateEvent'];

/** A crossing a read may be linked to, as the guard picks it: from the search, or the one a doubtful read proposes. */
interface Candidate {
  id: string;
  plate: string;
  gate: string;
  status: string;
  currentStep: string | null;
}

/** How often the exception list asks for new reads: a truck held at a barrier is on the guard's screen within this. */
export const EXCEPTIONS_POLL_MS = 2000;
const PAGE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id attribute from an event id, which may hold `.` and `:`. */
const domId = (eventId: string) => `read-${eventId.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/**
 * The border guard's exception list (API.md "Devices and plate reads"): the plate reads at the guard's gates that no
 * barrier may act on, one entry per run of repeated reads, newest first. A doubtful read (matched only by reading O
 * as 0, I as 1, B as 8) proposes a crossing, which the guard confirms with one click; any read can be linked by hand
 * to a crossing found by plate or id. A linked read leaves the list: the server takes it off, and the screen hides it
 * at once rather than waiting for the next poll.
 */
export function ExceptionsScreen({ account }: { account: Account }) {
  const t = useT();
  const list = useLoad(
    () => ok(api.GET('/v1/gate-events', { params: { query: { unmatched: 'true', limit: PAGE } } })),
    [],
    EXCEPTIONS_POLL_MS,
  );
  const [linked, setLinked] = useState<Set<string>>(new Set());
  const [done, setDone] = useState<{ read: string; plate: string; id: string } | undefined>();
  const doneNote = useRef<HTMLParagraphElement>(null);
  const items = (list.data?.items ?? []).filter((read) => !linked.has(read.eventId));

  const onLinked = (read: GateEvent, crossing: Candidate) => {
    setLinked((before) => new Set(before).add(read.eventId));
    setDone({ read: read.plate, plate: crossing.plate, id: crossing.id });
    // The entry the focus was in is gone: the focus goes to the sentence saying what was done.
    setTimeout(() => doneNote.current?.focus(), 0);
    void list.reload();
  };

  return (
    <div class="workspace single">
      <section class="panel exceptions" aria-labelledby="exceptions-title">
        <h1 id="exceptions-title">{t('exceptions.title')}</h1>
        <p class="hint">{t('exceptions.hint', { gates: account.gates.join(', ') })}</p>
        <ProblemNote problem={list.problem} onRetry={() => void list.reload()} />
        {done && (
          <p class="saved" role="status" tabIndex={-1} ref={doneNote}>
            {t('exceptions.linked', { read: done.read, plate: done.plate })}{' '}
            <a href={`#/crossings/${done.id}`}>{t('exceptions.openCard')}</a>
          </p>
        )}
        {list.loading && !list.data ? (
          <Loading />
        ) : items.length === 0 ? (
          !list.problem && <Empty>{t('exceptions.empty')}</Empty>
        ) : (
          <ul class="links" aria-label={t('exceptions.listLabel', { n: items.length })}>
            {items.map((read) => (
              <li key={read.eventId}>
                <Entry t={t} read={read} manyGates={account.gates.length > 1} onLinked={onLinked} />
              </li>
            ))}
          </ul>
        )}
        {list.data?.nextCursor && <p class="hint">{t('exceptions.more', { n: PAGE })}</p>}
        {list.updatedAt && (
          <p class="updated" aria-live="polite">
            {t('app.updated', { time: clockTime(list.updatedAt) })}
          </p>
        )}
      </section>
    </div>
  );
}

function Entry(props: { t: Translate; read: GateEvent; manyGates: boolean; onLinked: (read: GateEvent, crossing: Candidate) => void }) {
  const { t, read, onLinked } = props;
  const lang = useSignal(language);
  const id = domId(read.eventId);
  const proposedId = read.match === 'DOUBTFUL' ? read.crossingId : null;
  // The proposed crossing's own plate, for the guard to compare with the truck in front of them; read once.
  const proposed = useLoad(
    async () => (proposedId ? candidateOf(await ok(api.GET('/v1/crossings/{id}', { params: { path: { id: proposedId } } }))) : undefined),
    [proposedId],
  );
  const [searching, setSearching] = useState(false);
  // Back to the button that opened the search when it closes, never to the top of the page.
  const opener = useRef<HTMLButtonElement>(null);
  const searched = useRef(false);
  useEffect(() => {
    if (searching) searched.current = true;
    else if (searched.current) opener.current?.focus();
  }, [searching]);
  const link = useChange(async (headers, crossing: Candidate) => {
    await ok(
      api.POST('/v1/gate-events/{eventId}/match', {
        params: { path: { eventId: read.eventId } },
        headers,
        body: { crossingId: crossing.id },
      }),
    );
    onLinked(read, crossing);
  });

  return (
    <article class="panel" aria-labelledby={`${id}-title`} data-event={read.eventId}>
      <div class="card-head">
        <h2 id={`${id}-title`}>
          {t('exceptions.read')} <span class="plate">{read.plate}</span>
        </h2>
        <span class={`badge ${read.match === 'DOUBTFUL' ? 'step-returned' : 'step-denied'}`}>{label(t, 'match', read.match)}</span>
      </div>
      {proposedId && (
        <div class="decide">
          <p>
            {t('exceptions.proposed')}{' '}
            {proposed.data ? (
              <>
                <a class="plate" href={`#/crossings/${proposed.data.id}`}>
                  {proposed.data.plate}
                </a>{' '}
                · <StatusBadge status={proposed.data.status} /> · {label(t, 'step', proposed.data.currentStep)}
              </>
            ) : proposed.loading ? (
              t('app.loading')
            ) : (
              <code>{proposedId}</code>
            )}
          </p>
          <ProblemNote problem={proposed.problem} />
          <div class="actions">
            <button
              type="button"
              disabled={link.busy}
              onClick={() =>
                void link.act(proposed.data ?? { id: proposedId, plate: proposedId, gate: read.gate, status: '', currentStep: null })
              }
            >
              {proposed.data ? t('exceptions.confirmPlate', { plate: proposed.data.plate }) : t('exceptions.confirm')}
            </button>
          </div>
        </div>
      )}
      <dl class="facts">
        <div>
          <dt>{t('exceptions.point')}</dt>
          <dd>
            {label(t, 'point', read.point)} · <code>{read.device}</code>
            {props.manyGates && ` · ${read.gate}`}
          </dd>
        </div>
        <div>
          <dt>{t('exceptions.at')}</dt>
          <dd>
            <time dateTime={read.at}>{localTime(read.at)}</time>
          </dd>
        </div>
        <div>
          <dt>{t('exceptions.confidence')}</dt>
          <dd>{Math.round(read.confidence * 100)} %</dd>
        </div>
        <div>
          <dt>{t('exceptions.repeats')}</dt>
          <dd>{read.repeats === 0 ? t('exceptions.noRepeats') : t('exceptions.repeatCount', { n: read.repeats })}</dd>
        </div>
      </dl>
      <p>
        <strong>{t('exceptions.reason')}:</strong>{' '}
        <span lang={readReason(lang, read.reason) === read.reason ? 'en' : undefined}>{readReason(lang, read.reason)}</span>
      </p>
      <MatchProblem t={t} problem={link.problem} />
      {searching ? (
        <LinkByHand t={t} read={read} busy={link.busy} onPick={(c) => void link.act(c)} onCancel={() => setSearching(false)} />
      ) : (
        <div class="actions">
          <button type="button" class="secondary" ref={opener} onClick={() => setSearching(true)}>
            {proposedId ? t('exceptions.linkOther') : t('exceptions.linkByHand')}
          </button>
        </div>
      )}
    </article>
  );
}

/**
 * A guard's search for the crossing a read belongs to: a plate finds, at the read's gate, every crossing still there
 * whose plate reads like it, O/0, I/1 and B/8 alike (`GET /v1/gate-events/{eventId}/candidates`: open ones, and cleared
 * ones not yet out); a crossing id (from the truck's papers or gate pass) finds any crossing at the guard's gates.
 */
function LinkByHand(props: { t: Translate; read: GateEvent; busy: boolean; onPick: (c: Candidate) => void; onCancel: () => void }) {
  const { t, read } = props;
  const id = domId(read.eventId);
  const [query, setQuery] = useState(read.plate);
  const [found, setFound] = useState<Candidate[] | undefined>();
  const input = useRef<HTMLInputElement>(null);
  // Into the search when it opens, so the guard types at once.
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const search = useAction(async () => {
    const q = query.trim();
    if (UUID.test(q)) {
      setFound([candidateOf(await ok(api.GET('/v1/crossings/{id}', { params: { path: { id: q } } })))]);
    } else {
      const candidates = await ok(
        api.GET('/v1/gate-events/{eventId}/candidates', { params: { path: { eventId: read.eventId }, query: { plate: q } } }),
      );
      setFound(
        candidates.map((c) => ({ id: c.crossingId, plate: c.plate, gate: read.gate, status: c.status, currentStep: c.currentStep })),
      );
    }
  });
  return (
    <div class="link-by-hand">
      <form
        class="inline-form"
        role="search"
        aria-label={t('exceptions.searchLabel', { plate: read.plate })}
        onSubmit={(e) => {
          e.preventDefault();
          if (query.trim()) void search.act();
        }}
      >
        <Field id={`${id}-q`} label={t('exceptions.searchField')} note={t('exceptions.searchNote')}>
          <input
            id={`${id}-q`}
            ref={input}
            value={query}
            aria-describedby={describedBy(`${id}-q`, undefined, 'note')}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
        </Field>
        <button type="submit" disabled={search.busy}>
          {t('board.search')}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          {t('app.cancel')}
        </button>
      </form>
      <ProblemNote problem={search.problem} />
      {found &&
        (found.length === 0 ? (
          <Empty>{t('exceptions.noneFound')}</Empty>
        ) : (
          <ul class="links" aria-label={t('exceptions.results')}>
            {found.map((c) => (
              <li key={c.id}>
                <span class="plate">{c.plate}</span> · {c.gate} · <StatusBadge status={c.status} /> · {label(t, 'step', c.currentStep)}{' '}
                <button type="button" disabled={props.busy} onClick={() => props.onPick(c)}>
                  {t('exceptions.linkTo', { plate: c.plate })}
                </button>
              </li>
            ))}
          </ul>
        ))}
    </div>
  );
}

/** The API's answer to a link it refused, with a sentence of ours first saying what the guard can do about it. */
function MatchProblem({ t, problem }: { t: Translate; problem: Problem | undefined }) {
  if (!problem) return null;
  const hint =
    problem.status === 400
      ? t('exceptions.notHere')
      : problem.status === 409
        ? t('exceptions.conflict')
        : problem.status === 404
          ? t('exceptions.gone')
          : undefined;
  return (
    <>
      {hint && <p class="field-error">{hint}</p>}
      <ProblemNote problem={problem} />
    </>
  );
}

const candidateOf = (view: Schemas['CrossingView']): Candidate => ({
  id: view.id,
  plate: view.declaration.vehicle.plate,
  gate: view.gate,
  status: view.status,
  currentStep: view.currentStep,
});
