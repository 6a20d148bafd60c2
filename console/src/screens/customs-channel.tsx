import { useState } from 'preact/hooks';
import { api, ok, type CrossingView } from '../http/client';
import { label, useT } from '../i18n';
import { CUSTOMS_CHANNELS, type CustomsChannel } from '../../../domain/gate-points';
import { useChange } from '../ui/hooks';
import { ChannelBadge, Field, ProblemNote } from '../ui/parts';

/** While customs-inspection stands in one of these, the channel may still change (the workflow's own rule). */
const OPEN_INSPECTION = ['PENDING', 'WAITING', 'OVERDUE', 'RETURNED'];
const ENDED = ['CLEARED', 'DENIED', 'EXPIRED', 'CANCELLED'];

/** Whether the customs officer may still set the channel: the crossing runs and its inspection is not decided. */
export function channelOpen(view: CrossingView): boolean {
  const inspection = view.steps.find((s) => s.step === 'customs-inspection');
  return !ENDED.includes(view.status) && !view.incident && !!inspection && OPEN_INSPECTION.includes(inspection.status);
}

/**
 * The customs officer sets the declaration's channel (API.md "Yards, customs channel"): GREEN passes customs-inspection
 * as a system decision (at once, if the truck waits there now), YELLOW is a document check and RED a physical
 * inspection, both decided by an officer. The request keeps its Idempotency-Key while its outcome is unknown, so
 * pressing Save again after an outage sets the channel once.
 */
export function CustomsChannelPanel({ view, onChanged }: { view: CrossingView; onChanged: (sentence: string) => void }) {
  const t = useT();
  const [channel, setChannel] = useState<CustomsChannel>(view.customsChannel);
  const [source, setSource] = useState('');
  const save = useChange(async (headers) => {
    await ok(
      api.POST('/v1/crossings/{id}/customs-channel', {
        params: { path: { id: view.id } },
        headers,
        body: { channel, ...(source.trim() ? { source: source.trim() } : {}) },
      }),
    );
    onChanged(t(channel === 'GREEN' ? 'channel.savedGreen' : 'channel.saved', { channel: label(t, 'channel', channel) }));
  });
  const id = `channel-${view.id}`;
  return (
    <section class="decide" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        {t('channel.title')} <ChannelBadge channel={view.customsChannel} />
      </h3>
      <p class="hint" id={`${id}-hint`}>
        {t('channel.explain')}
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save.act();
        }}
      >
        <Field id={`${id}-pick`} label={t('channel.pick')}>
          <select
            id={`${id}-pick`}
            value={channel}
            aria-describedby={`${id}-hint`}
            onChange={(e) => setChannel(e.currentTarget.value as CustomsChannel)}
          >
            {CUSTOMS_CHANNELS.map((c) => (
              <option key={c} value={c}>
                {label(t, 'channel', c)} — {t(`channel.means.${c}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id={`${id}-source`} label={t('channel.source')}>
          <input id={`${id}-source`} value={source} maxLength={200} onInput={(e) => setSource(e.currentTarget.value)} />
        </Field>
        <ProblemNote problem={save.problem} />
        <div class="actions">
          <button type="submit" disabled={save.busy}>
            {t('channel.save')}
          </button>
        </div>
      </form>
    </section>
  );
}
