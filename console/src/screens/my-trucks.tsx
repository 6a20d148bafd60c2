import { api, ok, type Schemas } from '../http/client';
import { label, useT } from '../i18n';
import { clockTime, localTime } from '../ui/format';
import { Table } from '../ui/table';
import { useLoad } from '../ui/hooks';
import { Empty, Loading, ProblemNote, StatusBadge } from '../ui/parts';
import { QueuePlaceText, QueueStatusBadge } from '../ui/queue-place';

/** How often the company's trucks, and their places in the gates' call-forward queues, are read again. */
const MINE_POLL_MS = 3000;

type Item = Schemas['CrossingList']['items'][number];

/**
 * The company's trucks, newest first, each with where it stands now and, at a gate that keeps a call-forward queue,
 * its place in it: position and estimated call while it waits, the time to be at the gate once called. The list
 * carries only the queue status; the positions come from each such gate's queue, of which a declarant sees its own
 * trucks only. A closed gate is said above the list, with its reason and expected reopening.
 */
export function MyTrucksScreen() {
  const t = useT();
  const list = useLoad(() => ok(api.GET('/v1/crossings', { params: { query: { limit: 100 } } })), [], MINE_POLL_MS);
  const items = list.data?.items ?? [];
  const queued = [...new Set(items.filter((i) => i.queueStatus && i.queueStatus !== 'ARRIVED').map((i) => i.gate))].sort();
  const queues = useLoad(
    () => Promise.all(queued.map((code) => ok(api.GET('/v1/gates/{code}/queue', { params: { path: { code } } })))),
    [queued.join(',')],
    MINE_POLL_MS,
  );
  const entries = new Map((queues.data ?? []).flatMap((q) => q.entries.map((e) => [e.crossingId, e] as const)));
  const closed = (queues.data ?? []).filter((q) => !q.open && q.closure);
  const showsQueue = items.some((i) => i.queueStatus);

  const place = (item: Item) => {
    const entry = entries.get(item.id);
    if (entry) return <QueuePlaceText place={entry} />;
    return item.queueStatus ? <QueueStatusBadge status={item.queueStatus} /> : t('app.none');
  };

  return (
    <section class="panel" aria-labelledby="mine-title">
      <div class="card-head">
        <h1 id="mine-title">{t('mine.title')}</h1>
        <a class="button" href="#/declare">
          {t('nav.declare')}
        </a>
      </div>
      <ProblemNote problem={list.problem ?? queues.problem} onRetry={() => void (list.problem ? list.reload() : queues.reload())} />
      {closed.map((q) => (
        <p key={q.gate} class="notice" data-closed-gate={q.gate}>
          {t('mine.gateClosed', {
            gate: q.gate,
            time: localTime(q.closure!.closedAt, { seconds: false }),
            reason: q.closure!.reason,
            reopen: q.closure!.expectedReopenAt ? localTime(q.closure!.expectedReopenAt, { seconds: false }) : t('gateQueue.reopenUnknown'),
          })}
        </p>
      ))}
      {list.loading && !list.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty>{t('mine.empty')}</Empty>
      ) : (
        <Table
          class="mine-table"
          columns={[
            t('queue.plate'),
            t('card.gate'),
            t('card.status'),
            t('card.current'),
            ...(showsQueue ? [t('mine.callQueue')] : []),
            t('mine.updated'),
          ]}
        >
          <tbody>
            {items.map((item) => (
              <tr key={item.id} data-crossing={item.id}>
                <th scope="row">
                  <a href={`#/crossings/${item.id}`}>{item.plate}</a>
                </th>
                <td>{item.gate}</td>
                <td>
                  <StatusBadge status={item.status} />
                  {/* A phone has no room for the queue's column: the place stands under the status instead. */}
                  {showsQueue && <div class="phone-only phone-queue">{place(item)}</div>}
                </td>
                <td>{label(t, 'step', item.currentStep)}</td>
                {showsQueue && <td data-queue>{place(item)}</td>}
                <td>{localTime(item.updatedAt, { seconds: false })}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {list.updatedAt && (
        <p class="updated" aria-live="polite">
          {t('app.updated', { time: clockTime(list.updatedAt) })}
        </p>
      )}
    </section>
  );
}
