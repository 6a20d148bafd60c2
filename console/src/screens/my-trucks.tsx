import { api, ok } from '../http/client';
import { label, useT } from '../i18n';
import { clockTime, localTime } from '../ui/format';
import { Table } from '../ui/table';
import { useLoad } from '../ui/hooks';
import { Empty, Loading, ProblemNote, StatusBadge } from '../ui/parts';

/** The company's trucks, newest first, each with where it stands now. */
export function MyTrucksScreen() {
  const t = useT();
  const list = useLoad(() => ok(api.GET('/v1/crossings', { params: { query: { limit: 100 } } })), [], 3000);
  const items = list.data?.items ?? [];
  return (
    <section class="panel" aria-labelledby="mine-title">
      <div class="card-head">
        <h1 id="mine-title">{t('mine.title')}</h1>
        <a class="button" href="#/declare">
          {t('nav.declare')}
        </a>
      </div>
      <ProblemNote problem={list.problem} onRetry={() => void list.reload()} />
      {list.loading && !list.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty>{t('mine.empty')}</Empty>
      ) : (
        <Table columns={[t('queue.plate'), t('card.gate'), t('card.status'), t('card.current'), t('mine.updated')]}>
          <tbody>
            {items.map((item) => (
              <tr key={item.id} data-crossing={item.id}>
                <th scope="row">
                  <a href={`#/crossings/${item.id}`}>{item.plate}</a>
                </th>
                <td>{item.gate}</td>
                <td>
                  <StatusBadge status={item.status} />
                </td>
                <td>{label(t, 'step', item.currentStep)}</td>
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
