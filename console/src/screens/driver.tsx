import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, Problem, type Read } from '../http/client';
import { translateDriver, type DriverKey, type DriverLanguage, type DriverTranslate } from '../i18n';
import { clockTime, dayOrClock } from '../ui/format';
import { useLoad } from '../ui/hooks';
import { Loading } from '../ui/parts';
import { useRoute } from '../ui/router';
import { fixOf, PositionBatcher, type BatcherState, type Fix, type SendOutcome } from '../tracking/position-batcher';

type DriverCrossing = Read<'DriverCrossing'>;
type Order = DriverCrossing['orders'][number];

/** The page reads the crossing again this often: a call, an order or the end shows within it. */
export const DRIVER_POLL_MS = 10_000;

/**
 * The driver's page (`#/driver?t=drv_…`, the link in the SMS): no account, the link's token sent as the bearer token to
 * the two routes it reaches. It says where the truck stands (status, step, its call), what the traffic police order
 * and what the advisory asks, in the driver's language (Chinese for a driver of nationality CN), and, while the crossing
 * runs, sends the phone's positions. Made for a phone held in a cab: big type, one column, the order first.
 */
export function DriverScreen() {
  const route = useRoute();
  const link = new URLSearchParams(route.split('?')[1] ?? '');
  const token = link.get('t') ?? '';
  const crossing = useLoad(
    () =>
      token
        ? ok(api.GET('/v1/driver/crossing', { headers: { Authorization: `Bearer ${token}` } }), { ownToken: true })
        : Promise.resolve(undefined),
    [token],
    DRIVER_POLL_MS,
  );
  const data = crossing.data;
  const lang: DriverLanguage = data?.language ?? 'vi';
  const t = translateDriver(lang);

  useEffect(() => {
    document.documentElement.lang = lang;
    if (data) document.title = t('driver.title', { plate: data.plate });
  }, [lang, data?.plate]);

  const refused = !token || crossing.problem?.status === 401 || crossing.problem?.status === 404;
  if (refused) return <InvalidLink />;
  if (!data) return crossing.loading ? <Loading /> : <InvalidLink problem={crossing.problem} />;

  return (
    <div class="driver" lang={lang} data-language={lang}>
      <h1 class="driver-plate">{t('driver.title', { plate: data.plate })}</h1>
      {crossing.problem && (
        <p class="notice" role="status">
          {t('driver.offline')}
        </p>
      )}
      {!data.sending && <Ended t={t} crossing={data} />}
      <Orders t={t} orders={data.orders} />
      <QueueCall t={t} crossing={data} />
      <AdvisoryNote t={t} crossing={data} />
      <Facts t={t} crossing={data} />
      {data.sending ? (
        <PositionSending t={t} token={token} crossingId={data.crossingId} onEnded={() => void crossing.reload()} />
      ) : (
        <section class="driver-card" aria-labelledby="driver-location-title">
          <h2 id="driver-location-title">{t('driver.location')}</h2>
          <p data-sending="ended">{t('driver.notSending')}</p>
        </section>
      )}
      {crossing.updatedAt && (
        <p class="updated" aria-live="polite">
          {t('driver.updated', { time: clockTime(crossing.updatedAt) })}
        </p>
      )}
    </div>
  );
}

/** Before the language is known (the link is refused before any answer), the page speaks both of the driver's languages. */
function InvalidLink({ problem }: { problem?: Problem }) {
  const offline = problem && problem.status !== 401 && problem.status !== 404;
  return (
    <div class="driver" data-driver="invalid">
      <section class="driver-card is-refused" role="alert">
        {offline ? (
          <>
            <p lang="vi">{translateDriver('vi')('driver.offline')}</p>
            <p lang="zh">{translateDriver('zh')('driver.offline')}</p>
          </>
        ) : (
          <>
            <h1 lang="vi">Liên kết không còn dùng được</h1>
            <p lang="vi">
              Liên kết theo dõi xe này không hợp lệ, đã được thay bằng liên kết mới, hoặc chuyến xe đã kết thúc hơn 24 giờ. Hỏi doanh nghiệp
              khai báo để được gửi liên kết mới.
            </p>
            <h2 lang="zh">链接已失效</h2>
            <p lang="zh">此车辆跟踪链接无效、已被新链接取代，或本次通关已结束超过 24 小时。请联系申报企业重新发送链接。</p>
          </>
        )}
      </section>
    </div>
  );
}

/** How far ahead a time is, on a line of its own under the sentence: `in about 25 min`, `in about 2 h 5 min`. */
function Ahead({ t, iso }: { t: DriverTranslate; iso: string }) {
  const minutes = Math.round((Date.parse(iso) - Date.now()) / 60_000);
  if (minutes <= 0) return null;
  return (
    <span class="sub">
      {minutes < 60
        ? t('driver.inMinutes', { n: minutes })
        : minutes % 60 === 0
          ? t('driver.inWholeHours', { h: minutes / 60 })
          : t('driver.inHours', { h: Math.floor(minutes / 60), m: minutes % 60 })}
    </span>
  );
}

/** A sentence with a time in it, as the driver reads it: the gate's clock (the date too when not today), zone shown. */
const sentence = (t: DriverTranslate, key: DriverKey, iso: string) => {
  const [before, after] = t(key, { time: '\u0000' }).split('\u0000');
  return (
    <>
      {before}
      <time dateTime={iso} class="nowrap">
        {dayOrClock(iso)}
      </time>
      {after}
      <Ahead t={t} iso={iso} />
    </>
  );
};

function Ended({ t, crossing }: { t: DriverTranslate; crossing: DriverCrossing }) {
  return (
    <section class={`driver-card is-ended status-${crossing.status.toLowerCase()}`} data-driver="ended" role="status">
      <h2>{t('driver.ended', { status: t(`driver.status.${crossing.status}`) })}</h2>
      <p>{t('driver.endedNote')}</p>
    </section>
  );
}

/** The traffic police's standing orders for this truck, newest first: the action in large words, then the officer's. */
function Orders({ t, orders }: { t: DriverTranslate; orders: Order[] }) {
  if (orders.length === 0) return null;
  return (
    <section class="driver-card orders" aria-labelledby="driver-orders-title" data-driver="orders">
      <h2 id="driver-orders-title">{t('driver.orders')}</h2>
      <ul class="driver-orders">
        {orders.map((o) => (
          <li key={o.id} class={`order order-${o.action.toLowerCase()}`} data-order={o.id} data-action={o.action}>
            <p class="order-action">{t(`driver.action.${o.action}`)}</p>
            <p class="order-message">{o.message}</p>
            {o.holdingArea && <p>{t('driver.orderArea', { area: o.holdingAreaName ?? o.holdingArea })}</p>}
            <p class="sub">{sentence(t, 'driver.orderUntil', o.validUntil)}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The hold-upstream advisory, when it asks this truck to wait: why, where, and until the queue's next call. */
function AdvisoryNote({ t, crossing }: { t: DriverTranslate; crossing: DriverCrossing }) {
  const a = crossing.advisory;
  if (a.level !== 'HOLD_UPSTREAM') return null;
  return (
    <section class="driver-card advisory" aria-labelledby="driver-advisory-title" data-driver="advisory">
      <h2 id="driver-advisory-title">{t('driver.advisory')}</h2>
      {a.cause && <p>{t(`driver.advisory.${a.cause}`)}</p>}
      <p class="order-action">{a.holdingArea ? t('driver.advisoryWait', { area: a.holdingAreaName ?? a.holdingArea }) : t('driver.advisoryWaitSafe')}</p>
      {a.waitUntil && <p>{sentence(t, 'driver.advisoryUntil', a.waitUntil)}</p>}
    </section>
  );
}

/** The truck's place in the gate's call-forward queue: its number and expected call, or the time to be at the gate. */
function QueueCall({ t, crossing }: { t: DriverTranslate; crossing: DriverCrossing }) {
  const q = crossing.queue;
  if (!q && !crossing.sending) return null;
  const line = () => {
    if (!q) return <p>{t('driver.queueNone')}</p>;
    switch (q.status) {
      case 'CALLED':
        return <p class="call is-called">{q.arriveBy ? sentence(t, 'driver.queueCalled', q.arriveBy) : t('driver.queueCalledNow')}</p>;
      case 'ARRIVED':
        return <p class="call">{t('driver.queueArrived')}</p>;
      default:
        return (
          <>
            {q.status === 'NO_SHOW' && <p class="notice">{t('driver.queueNoShow')}</p>}
            <p class="call" data-position={q.position ?? ''}>
              {q.position !== null ? t('driver.queueWaiting', { n: q.position }) : t('driver.queueWaitingNoPosition')}
            </p>
            <p>{q.estimatedCallAt ? sentence(t, 'driver.queueExpected', q.estimatedCallAt) : t('driver.queueNoEstimate')}</p>
          </>
        );
    }
  };
  return (
    <section class="driver-card" aria-labelledby="driver-queue-title" data-driver="queue" data-queue-status={q?.status ?? ''}>
      <h2 id="driver-queue-title">{t('driver.queue')}</h2>
      {line()}
    </section>
  );
}

function Facts({ t, crossing }: { t: DriverTranslate; crossing: DriverCrossing }) {
  return (
    <section class="driver-card">
      <dl class="driver-facts">
        <div>
          <dt>{t('driver.gate')}</dt>
          <dd data-driver="gate">{crossing.gateName}</dd>
        </div>
        <div>
          <dt>{t('driver.direction')}</dt>
          <dd>{t(`driver.direction.${crossing.direction}`)}</dd>
        </div>
        <div>
          <dt>{t('driver.status')}</dt>
          <dd data-driver="status">{t(`driver.status.${crossing.status}`)}</dd>
        </div>
        <div>
          <dt>{t('driver.step')}</dt>
          <dd data-driver="step">{crossing.currentStep ? t(`driver.step.${crossing.currentStep}`) : t('driver.step.none')}</dd>
        </div>
      </dl>
    </section>
  );
}

type Location = 'waiting' | 'denied' | 'unavailable' | 'watching';

/**
 * While the page is open and the crossing runs, the phone's positions go to the API in batches (position-batcher.ts).
 * A refused permission, or a phone without location, is said plainly: the page still shows the call and the orders.
 */
function PositionSending(props: { t: DriverTranslate; token: string; crossingId: string | undefined; onEnded: () => void }) {
  const { t, token, crossingId } = props;
  const [where, setWhere] = useState<Location>('waiting');
  const [state, setState] = useState<BatcherState>({ pending: 0, lastSentAt: null, retrying: false, stopped: false });
  const ended = useRef(props.onEnded);
  ended.current = props.onEnded;

  useEffect(() => {
    if (!crossingId) return undefined;
    if (!('geolocation' in navigator)) {
      setWhere('unavailable');
      return undefined;
    }
    const send = async (positions: Fix[], key: string): Promise<SendOutcome> => {
      try {
        await ok(
          api.POST('/v1/crossings/{id}/positions', {
            params: { path: { id: crossingId } },
            headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': key },
            body: { positions },
          }),
          { ownToken: true },
        );
        return 'sent';
      } catch (err) {
        const status = err instanceof Problem ? err.status : 0;
        // Ended meanwhile (409): the page reads the crossing again, and once it says so the sending unmounts. Until
        // then the batch is kept, as for no answer or a 5xx.
        if (status === 409) ended.current();
        if (status === 0 || status === 409 || status >= 500) return 'retry';
        // The link was replaced (401) or is not this crossing's (404): nothing this page holds will ever be taken.
        if (status === 401 || status === 404) {
          ended.current();
          return 'stop';
        }
        // 400 (points the API refuses) or 422 (the key used for another batch): sending them again cannot help.
        return 'drop';
      }
    };
    const batcher = new PositionBatcher(send, setState);
    batcher.start();
    const watch = navigator.geolocation.watchPosition(
      (position) => {
        setWhere('watching');
        batcher.add(fixOf(position));
      },
      (error) => setWhere(error.code === error.PERMISSION_DENIED ? 'denied' : 'unavailable'),
      { enableHighAccuracy: true, maximumAge: 10_000 },
    );
    // A page put away (the phone locked, another app) sends what it holds before the browser pauses it.
    const away = () => document.visibilityState === 'hidden' && void batcher.flush();
    document.addEventListener('visibilitychange', away);
    return () => {
      navigator.geolocation.clearWatch(watch);
      document.removeEventListener('visibilitychange', away);
      batcher.stop();
    };
  }, [token, crossingId]);

  const status =
    !crossingId || where === 'unavailable' ? 'unavailable' : where === 'denied' ? 'denied' : state.lastSentAt ? 'sending' : 'waiting';
  return (
    <section
      class={`driver-card location is-${status}`}
      aria-labelledby="driver-location-title"
      data-sending={status}
      data-pending={state.pending}
    >
      <h2 id="driver-location-title">{t('driver.location')}</h2>
      {status === 'denied' && (
        <p class="location-off" role="alert">
          {t('driver.denied')}
        </p>
      )}
      {status === 'unavailable' && (
        <p class="location-off" role="alert">
          {t('driver.unavailable')}
        </p>
      )}
      {(status === 'waiting' || status === 'sending') && (
        <>
          <p>{where === 'watching' ? t('driver.sending') : t('driver.waitingFix')}</p>
          {state.lastSentAt && <p class="sub">{t('driver.sentAt', { time: clockTime(state.lastSentAt) })}</p>}
          {state.retrying && <p class="notice">{t('driver.retrying')}</p>}
          {state.pending > 0 && <p class="sub">{t('driver.pending', { n: state.pending })}</p>}
          <p class="hint">{t('driver.keepOpen')}</p>
        </>
      )}
    </section>
  );
}
