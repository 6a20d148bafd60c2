import { useState } from 'preact/hooks';
import { api, ok, type Schemas } from '../http/client';
import { label, useT } from '../i18n';
import { localTime } from '../ui/format';
import { Table } from '../ui/table';
import { useChange, useLoad } from '../ui/hooks';
import { Field, Loading, ProblemNote, SaveOrCancel, useFieldErrors } from '../ui/parts';

type Change = Schemas['DeadlinePolicyChange'];

/**
 * Step deadlines: every policy row, and an edit that says how many running trucks it reaches at once (the API
 * recomputes the deadlines of every crossing waiting at that step).
 */
export function DeadlinesScreen() {
  const t = useT();
  const rows = useLoad(() => ok(api.GET('/v1/admin/step-timeouts')), []);
  const [edit, setEdit] = useState<Change | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const save = useChange(async (headers, change: Change) => {
    const answer = await ok(api.PUT('/v1/admin/step-timeouts', { headers, body: change }));
    setSaved(t('admin.affected', { version: answer.policy.version, n: answer.affectedRunning }));
    setEdit(undefined);
    await rows.reload();
  });
  const errorOf = useFieldErrors(save.problem);

  return (
    <div class="workspace">
      <section class="panel" aria-labelledby="deadlines-title">
        <h1 id="deadlines-title">{t('admin.deadlines')}</h1>
        <p class="hint">{t('admin.deadlinesCaption')}</p>
        {saved && (
          <p role="status" class="saved">
            {saved}
          </p>
        )}
        <ProblemNote problem={rows.problem} />
        {!rows.data ? (
          <Loading />
        ) : (
          <Table
            columns={[
              t('admin.gate'),
              t('admin.category'),
              t('admin.step'),
              t('admin.sla'),
              t('admin.expireAfter'),
              t('admin.version'),
              t('admin.updatedBy'),
            ]}
            actions={t('admin.edit')}
          >
            <tbody>
              {rows.data.map((r) => (
                <tr key={`${r.gate}/${r.category}/${r.step}`}>
                  <td>{r.gate}</td>
                  <td>{r.category === '*' ? '*' : label(t, 'category', r.category)}</td>
                  <th scope="row">{label(t, 'step', r.step)}</th>
                  <td>{r.sla}</td>
                  <td>{r.expireAfter}</td>
                  <td>{r.version}</td>
                  <td>
                    {r.updatedBy ?? t('app.none')} · {localTime(r.updatedAt, { seconds: false })}
                  </td>
                  <td>
                    <button
                      type="button"
                      class="secondary"
                      aria-label={t('admin.editRow', { gate: r.gate, category: r.category, step: r.step })}
                      onClick={() => {
                        save.clear();
                        setEdit({
                          gate: r.gate,
                          category: r.category as Change['category'],
                          step: r.step as Change['step'],
                          sla: r.sla,
                          expireAfter: r.expireAfter,
                        });
                      }}
                    >
                      {t('admin.edit')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </section>
      {edit && (
        <section class="panel" aria-labelledby="edit-deadline-title">
          <h2 id="edit-deadline-title">{t('admin.editRow', { gate: edit.gate, category: edit.category, step: edit.step })}</h2>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void save.act(edit);
            }}
          >
            <Field id="dl-gate" label={t('admin.gate')} error={errorOf('gate')}>
              <input id="dl-gate" value={edit.gate} onInput={(e) => setEdit({ ...edit, gate: e.currentTarget.value })} />
            </Field>
            <Field id="dl-sla" label={t('admin.sla')} note={t('admin.durationHint')} error={errorOf('sla')}>
              <input id="dl-sla" value={edit.sla} onInput={(e) => setEdit({ ...edit, sla: e.currentTarget.value })} />
            </Field>
            <Field id="dl-expire" label={t('admin.expireAfter')} error={errorOf('expireAfter')}>
              <input id="dl-expire" value={edit.expireAfter} onInput={(e) => setEdit({ ...edit, expireAfter: e.currentTarget.value })} />
            </Field>
            <SaveOrCancel problem={save.problem} busy={save.busy} onCancel={() => setEdit(undefined)} />
          </form>
        </section>
      )}
    </div>
  );
}
