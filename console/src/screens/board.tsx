import { useState } from 'preact/hooks';
import { api, ok, type Account, type Read, type Schemas } from '../http/client';
import { DECISION_STEPS } from '../../../domain/steps';
import { label, useT, type Translate } from '../i18n';
import { clockTime, localTime, span } from '../ui/format';
import { useServedGates } from '../ui/served-gates';
import { Table } from '../ui/table';
import { useAction, useLoad } from '../ui/hooks';
import { Empty, Field, GatePicker, Loading, ProblemNote, StatusBadge } from '../ui/parts';

type Stats = Schemas['GateStats'];

/**
 * The manager's live board of a gate, every figure from `GET /v1/stats/gates/{code}` (the Time Release Study
 * measures): what was declared and ended in the last 24 hours, what is open and overdue at each step now, how long
 * each agency takes, and trucks cleared per hour; with a search by plate.
 */
export function BoardScreen({ account }: { account: Account }) {
  const t = useT();
  // Read again with the figures: a closure or a reopening shows on the board without a reload.
  const { gates, served, current, pick, nameOf, info } = useServedGates(account, 5000);
  const stats = useLoad(
    () => (current ? ok(api.GET('/v1/stats/gates/{code}', { params: { path: { code: current } } })) : Promise.resolve(undefined)),
    [current],
    5000,
  );

  return (
    <div class="board">
      <section class="panel" aria-labelledby="board-title">
        <div class="card-head">
          <h1 id="board-title">{t('board.title', { gate: nameOf(current) })}</h1>
          <GatePicker id="board-gate" gates={served} value={current} nameOf={nameOf} onChange={pick} />
        </div>
        <p class="hint">{t('board.period')}</p>
        <ProblemNote problem={gates.problem ?? stats.problem} onRetry={() => void (gates.problem ? gates.reload() : stats.reload())} />
        {!current ? (
          gates.loading ? (
            <Loading />
          ) : (
            !gates.problem && <Empty>{t('board.noGate')}</Empty>
          )
        ) : !stats.data ? (
          stats.loading && <Loading />
        ) : (
          <>
            <QueueLine t={t} stats={stats.data} gate={info} />
            <Figures t={t} stats={stats.data} />
          </>
        )}
        {stats.updatedAt && (
          <p class="updated" aria-live="polite">
            {t('app.updated', { time: clockTime(stats.updatedAt) })}
          </p>
        )}
      </section>
      <PlateSearch t={t} />
    </div>
  );
}

/**
 * The gate's call-forward queue in one line (waiting, called), and its closure when it is closed, with the way to the
 * queue screen, where the manager closes and reopens the gate.
 */
function QueueLine({ t, stats, gate }: { t: Translate; stats: Stats; gate: Read<'Gate'> | undefined }) {
  if (!stats.queue && !gate?.closure) return null;
  return (
    <div class={gate?.closure ? 'notice' : 'queue-line'} data-board="queue">
      {gate?.closure && (
        <strong>{t('board.closed', { time: localTime(gate.closure.closedAt, { seconds: false }), reason: gate.closure.reason })} </strong>
      )}
      {stats.queue && t('board.queue', { waiting: stats.queue.waiting, called: stats.queue.called })}{' '}
      <a href={`#/gate-queue?gate=${encodeURIComponent(stats.gate)}`}>{t('board.queueLink')}</a>
    </div>
  );
}

function Figures({ t, stats }: { t: Translate; stats: Stats }) {
  const tiles: [string, number][] = [
    [t('board.declared'), stats.declared],
    [t('board.cleared'), stats.cleared],
    [t('board.denied'), stats.denied],
    [t('board.expired'), stats.expired],
    [t('board.cancelled'), stats.cancelled],
  ];
  return (
    <>
      <ul class="tiles">
        {tiles.map(([name, n]) => (
          <li key={name} data-figure={name}>
            <span class="tile-n">{n}</span>
            <span class="tile-name">{name}</span>
          </li>
        ))}
      </ul>
      <Yards t={t} yards={stats.yards} />
      <Table
        class="by-step"
        caption={t('board.steps')}
        columns={[t('queue.step'), t('board.open'), t('board.overdue'), t('board.decisions'), t('board.dwellP50'), t('board.dwellP90')]}
      >
        <tbody>
          {DECISION_STEPS.map((step) => {
            const dwell = stats.dwell.byStep[step];
            const overdue = stats.overdue.byStep[step] ?? 0;
            return (
              <tr key={step} data-step={step}>
                <th scope="row">{label(t, 'step', step)}</th>
                <td data-measure="open">{stats.open.byStep[step] ?? 0}</td>
                <td data-measure="overdue" class={overdue > 0 ? 'overdue' : undefined}>
                  {overdue}
                </td>
                <td data-measure="decisions">{dwell?.count ?? 0}</td>
                <td>{span(t, dwell?.p50)}</td>
                <td>{span(t, dwell?.p90)}</td>
              </tr>
            );
          })}
        </tbody>
      </Table>
      <p>{t('board.endToEnd', { p50: span(t, stats.endToEnd.p50), p90: span(t, stats.endToEnd.p90), count: stats.endToEnd.count })}</p>
      <PerHour t={t} hours={stats.clearedPerHour} />
    </>
  );
}

/** At or above this share of its capacity taken or promised, a yard is marked nearly full: calls are about to stop. */
const NEARLY_FULL = 0.9;

/**
 * The yards of the gate: trucks inside (counted by the yard cameras) against the capacity, and the places reserved for
 * admitted trucks on their way in. The bar is what is taken or promised; its native colours (a `meter`) turn at 75 %
 * and 90 %, and a yard at 90 % or more, or with more trucks inside than places, says so in words too.
 */
function Yards({ t, yards }: { t: Translate; yards: Stats['yards'] }) {
  return (
    <section aria-labelledby="yards-title">
      <h2 id="yards-title">{t('board.yards')}</h2>
      {yards.length === 0 ? (
        <Empty>{t('board.noYards')}</Empty>
      ) : (
        <ul class="yards">
          {yards.map((y) => {
            const taken = y.occupied + y.reserved;
            const over = y.occupied > y.capacity;
            const nearlyFull = !over && taken >= NEARLY_FULL * y.capacity;
            const free = Math.max(0, y.capacity - taken);
            return (
              <li key={y.code} data-yard={y.code}>
                <meter
                  min={0}
                  max={Math.max(1, y.capacity)}
                  low={0.75 * y.capacity}
                  high={NEARLY_FULL * y.capacity}
                  optimum={0}
                  value={taken}
                  aria-label={t('board.yardMeter', { code: y.code, occupied: y.occupied, reserved: y.reserved, capacity: y.capacity })}
                />{' '}
                <strong>{y.code}</strong>: {t('board.yardUse', { occupied: y.occupied, capacity: y.capacity })} ·{' '}
                {t('board.yardReserved', { n: y.reserved })} · {t('board.yardFree', { n: free })}
                {over && (
                  <>
                    {' '}
                    <span class="badge step-overdue">{t('board.yardOver')}</span>
                  </>
                )}
                {nearlyFull && (
                  <>
                    {' '}
                    <span class={`badge ${taken >= y.capacity ? 'step-overdue' : 'step-returned'}`}>
                      {taken >= y.capacity ? t('board.yardFull') : t('board.yardNearlyFull')}
                    </span>
                  </>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** Cleared per hour as bars, each with its figure and, for screen readers, its sentence. */
function PerHour({ t, hours }: { t: Translate; hours: Stats['clearedPerHour'] }) {
  const max = Math.max(1, ...hours.map((h) => h.n));
  const width = 24;
  const height = 120;
  return (
    <figure class="chart">
      <figcaption>{t('board.perHour')}</figcaption>
      <svg viewBox={`0 0 ${hours.length * width} ${height + 30}`} role="img" aria-label={t('board.perHour')} preserveAspectRatio="none">
        {hours.map((h, i) => {
          const barHeight = (h.n / max) * height;
          const hour = h.hour.slice(11, 13);
          return (
            <g key={h.hour}>
              <title>{t('board.perHourLabel', { hour: localTime(h.hour, { seconds: false }), n: h.n })}</title>
              <rect x={i * width + 3} y={height - barHeight} width={width - 6} height={barHeight} class="bar" />
              {h.n > 0 && (
                <text x={i * width + width / 2} y={height - barHeight - 3} text-anchor="middle" class="bar-n">
                  {h.n}
                </text>
              )}
              {i % 3 === 0 && (
                <text x={i * width + width / 2} y={height + 18} text-anchor="middle" class="axis">
                  {hour}h
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

function PlateSearch({ t }: { t: Translate }) {
  const [plate, setPlate] = useState('');
  const [found, setFound] = useState<Schemas['CrossingList']['items'] | undefined>();
  const search = useAction(async () => {
    setFound((await ok(api.GET('/v1/crossings', { params: { query: { plate: plate.trim(), limit: 20 } } }))).items);
  });
  const incidents = useLoad(() => ok(api.GET('/v1/crossings', { params: { query: { incident: 'true', limit: 20 } } })), [], 15000);
  return (
    <section class="panel" aria-labelledby="search-title">
      <h2 id="search-title">{t('board.searchTitle')}</h2>
      <form
        class="inline-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          if (plate.trim()) void search.act();
        }}
      >
        <Field id="plate-search" label={t('queue.plate')}>
          <input id="plate-search" value={plate} onInput={(e) => setPlate(e.currentTarget.value)} />
        </Field>
        <button type="submit">{t('board.search')}</button>
      </form>
      <ProblemNote problem={search.problem} />
      {found && (found.length === 0 ? <Empty>{t('board.noMatch')}</Empty> : <CrossingLinks t={t} items={found} />)}
      {incidents.data && incidents.data.items.length > 0 && (
        <>
          <h2>{t('board.incidents')}</h2>
          <CrossingLinks t={t} items={incidents.data.items} />
        </>
      )}
    </section>
  );
}

function CrossingLinks({ t, items }: { t: Translate; items: Schemas['CrossingList']['items'] }) {
  return (
    <ul class="links">
      {items.map((c) => (
        <li key={c.id}>
          <a href={`#/crossings/${c.id}`}>{c.plate}</a> · {c.gate} · <StatusBadge status={c.status} /> · {label(t, 'step', c.currentStep)} ·{' '}
          {localTime(c.createdAt, { seconds: false })}
        </li>
      ))}
    </ul>
  );
}
