import { label, useT } from '../i18n';
import type { Schemas } from '../http/client';
import { dayOrClock, fromNow } from './format';

type Place = NonNullable<Schemas['QueuePlace']>;

/**
 * Where a truck stands in its gate's call-forward queue (the virtual queue, not an agency's work queue), as a chip:
 * not called yet, called, arrived, or a missed call sent to the back.
 */
export function QueueStatusBadge({ status }: { status: string }) {
  const t = useT();
  return <span class={`badge queue-${status.toLowerCase().replace('_', '-')}`}>{label(t, 'queueStatus', status)}</span>;
}

/**
 * The sentence a declarant (or anyone reading a truck's card) reads about its place in the queue: its position and
 * when it may expect the call while it waits, the time to be at the gate once called. Times are the gate's, zone shown.
 */
export function QueuePlaceText({ place }: { place: Place }) {
  const t = useT();
  // The time itself first, in words how far off it is on a line of its own: a list stays readable on a phone.
  const at = (iso: string) => (
    <time dateTime={iso} class="nowrap">
      {dayOrClock(iso)}
    </time>
  );
  const off = (iso: string) => <span class="sub">{fromNow(t, iso)}</span>;
  switch (place.status) {
    case 'CALLED':
      return (
        <span class="queue-place" data-queue-status={place.status}>
          <QueueStatusBadge status={place.status} />{' '}
          {place.arriveBy ? (
            <>
              <strong>
                {t('place.arriveBy')} {at(place.arriveBy)}
              </strong>
              {off(place.arriveBy)}
            </>
          ) : (
            t('place.calledNow')
          )}
        </span>
      );
    case 'ARRIVED':
      return (
        <span class="queue-place" data-queue-status={place.status}>
          <QueueStatusBadge status={place.status} />
        </span>
      );
    default:
      return (
        <span class="queue-place" data-queue-status={place.status}>
          <QueueStatusBadge status={place.status} />{' '}
          {place.position !== null && <strong data-position={place.position}>{t('place.position', { n: place.position })}</strong>}
          {place.estimatedCallAt ? (
            <span class="sub">
              {t('place.expected')} {at(place.estimatedCallAt)} · {fromNow(t, place.estimatedCallAt)}
            </span>
          ) : (
            <span class="sub">{t('place.noEstimate')}</span>
          )}
        </span>
      );
  }
}
