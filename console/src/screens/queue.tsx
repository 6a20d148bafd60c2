import { useRef, useState } from 'preact/hooks';
import { api, ok, type Account } from '../http/client';
import { label, useT } from '../i18n';
import { stepsOf } from '../../../domain/steps';
import type { Role } from '../../../domain/roles';
import { clockTime, localTime, since } from '../ui/format';
import { Table } from '../ui/table';
import { useLoad } from '../ui/hooks';
import { CategoryBadge, ChannelBadge, Empty, Loading, ProblemNote } from '../ui/parts';
import { QueueStatusBadge } from '../ui/queue-place';
import { CrossingCard } from './crossing-card';

/** How often the queue asks for new trucks: a declared truck is on screen within about this long. */
export const QUEUE_POLL_MS = 1000;

/**
 * An agency's work queue: the trucks waiting for its steps at its gates, priority first, then the longest waiting
 * (the API's order). Worked from the keyboard: ↑/↓ (or j/k) pick a truck, Enter opens its card beside the list, and
 * the card's A / R / D decide.
 */
export function QueueScreen({ account }: { account: Account }) {
  const t = useT();
  const queue = useLoad(() => ok(api.GET('/v1/crossings', { params: { query: { limit: 100 } } })), [], QUEUE_POLL_MS);
  // The truck picked, by id: the queue is re-read every second and re-sorted (a priority truck goes to the top), so a
  // position would silently point at another truck by the time Enter is pressed.
  const [selectedId, setSelectedId] = useState<string | undefined>();
  const [open, setOpen] = useState<string | undefined>();
  const rows = useRef<HTMLTableSectionElement>(null);
  const items = queue.data?.items ?? [];
  const steps = stepsOf(account.role as Role);
  // Customs works by channel (green passes inspection by itself): their queue shows it, after the columns a phone hides
  // (the 3rd and 4th) and before the age, so it stays in view beside an open card.
  const showsChannel = account.role === 'CUSTOMS_OFFICER';
  // Where a gate keeps a call-forward queue, whether each truck was called (the API lists called and arrived trucks
  // first): a truck not called yet may still stand at the booth, and the officer may decide it. Also after the columns
  // a phone hides, so it stays in view.
  const showsCall = items.some((item) => item.queueStatus !== null);

  const found = items.findIndex((item) => item.id === selectedId);
  const selected = found >= 0 ? found : 0;

  const focusRow = (index: number) => {
    setSelectedId(items[index]?.id);
    rows.current?.querySelectorAll<HTMLElement>('tr')[index]?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'ArrowDown' || e.key === 'j') focusRow(Math.min(items.length - 1, selected + 1));
    else if (e.key === 'ArrowUp' || e.key === 'k') focusRow(Math.max(0, selected - 1));
    else if (e.key === 'Enter' && items[selected]) setOpen(items[selected].id);
    else return;
    e.preventDefault();
  };

  return (
    <div class={`workspace${open ? ' with-card' : ''}`}>
      <section class="panel queue" aria-labelledby="queue-title">
        <h1 id="queue-title">{t('queue.title', { steps: steps.map((s) => label(t, 'step', s)).join(', ') })}</h1>
        <p class="hint">{t('queue.keys')}</p>
        <ProblemNote problem={queue.problem} onRetry={() => void queue.reload()} />
        {queue.loading && !queue.data ? (
          <Loading />
        ) : items.length === 0 ? (
          <Empty>{t('queue.empty')}</Empty>
        ) : (
          <Table
            class="queue-table"
            caption={t(showsCall ? 'queue.captionCalled' : 'queue.caption', { gates: account.gates.join(', ') })}
            columns={[
              t('queue.plate'),
              t('queue.category'),
              t('queue.step'),
              t('queue.since'),
              ...(showsCall ? [t('queue.call')] : []),
              ...(showsChannel ? [t('queue.channel')] : []),
              t('queue.age'),
              t('queue.state'),
            ]}
          >
            <tbody ref={rows} onKeyDown={onKeyDown}>
              {items.map((item, index) => (
                <tr
                  key={item.id}
                  tabIndex={index === selected ? 0 : -1}
                  class={`${item.overdue ? 'overdue' : ''}${index === selected ? ' selected' : ''}${item.id === open ? ' opened' : ''}`}
                  title={t('queue.open', { plate: item.plate })}
                  data-crossing={item.id}
                  onClick={() => (setSelectedId(item.id), setOpen(item.id))}
                  onFocus={() => setSelectedId(item.id)}
                >
                  <th scope="row" class="plate">
                    {item.plate}
                  </th>
                  <td>
                    <CategoryBadge category={item.category} />
                  </td>
                  <td>{label(t, 'step', item.currentStep)}</td>
                  <td class="nowrap">{localTime(item.stepStartedAt, { seconds: false }).slice(11)}</td>
                  {showsCall && (
                    <td data-queue-status={item.queueStatus ?? ''}>
                      {item.queueStatus ? <QueueStatusBadge status={item.queueStatus} /> : t('app.none')}
                    </td>
                  )}
                  {showsChannel && (
                    <td data-channel={item.customsChannel}>
                      <ChannelBadge channel={item.customsChannel} />
                    </td>
                  )}
                  <td>{since(t, item.stepStartedAt)}</td>
                  <td>{item.overdue ? <span class="badge step-overdue">{t('queue.overdue')}</span> : t('queue.onTime')}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {queue.updatedAt && (
          <p class="updated" aria-live="polite">
            {t('app.updated', { time: clockTime(queue.updatedAt) })}
          </p>
        )}
      </section>
      {open && (
        <CrossingCard
          key={open}
          id={open}
          account={account}
          onClose={() => {
            setOpen(undefined);
            focusRow(selected);
          }}
          onDecided={() => void queue.reload()}
        />
      )}
    </div>
  );
}
