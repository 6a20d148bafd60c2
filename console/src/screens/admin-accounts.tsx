import { useState } from 'preact/hooks';
import { api, ok, type Account, type Schemas } from '../http/client';
import { label, useT } from '../i18n';
import { Table } from '../ui/table';
import { useChange, useLoad } from '../ui/hooks';
import { Field, Loading, ProblemNote, useFieldErrors } from '../ui/parts';
import { ROLES } from '../../../domain/roles';

type NewAccount = Schemas['NewAccount'];

/** Accounts: every person is one account with one role and the gates it serves; disabling ends its tokens at once. */
export function AccountsScreen({ account: me }: { account: Account }) {
  const t = useT();
  const accounts = useLoad(() => ok(api.GET('/v1/accounts')), []);
  const gates = useLoad(() => ok(api.GET('/v1/gates')), []);
  const [draft, setDraft] = useState<NewAccount>({
    username: '',
    password: '',
    role: 'DECLARANT',
    gates: [],
    companyTaxCode: '',
    displayName: '',
  });
  const [created, setCreated] = useState<string | undefined>();
  const create = useChange(async (headers) => {
    const body: NewAccount = {
      ...draft,
      companyTaxCode: draft.role === 'DECLARANT' ? draft.companyTaxCode || null : null,
      displayName: draft.displayName || null,
    };
    const account = await ok(api.POST('/v1/accounts', { headers, body }));
    setCreated(t('admin.created', { name: account.username }));
    setDraft({ ...draft, username: '', password: '', displayName: '' });
    await accounts.reload();
  });
  const toggle = useChange(async (headers, account: Account) => {
    await ok(api.PATCH('/v1/accounts/{id}', { params: { path: { id: account.id } }, headers, body: { disabled: !account.disabled } }));
    await accounts.reload();
  });
  const errorOf = useFieldErrors(create.problem);

  return (
    <div class="workspace">
      <section class="panel" aria-labelledby="accounts-title">
        <h1 id="accounts-title">{t('admin.accounts')}</h1>
        <ProblemNote problem={accounts.problem ?? toggle.problem} />
        {!accounts.data ? (
          <Loading />
        ) : (
          <Table
            columns={[t('admin.username'), t('admin.role'), t('admin.gates'), t('admin.taxCode'), t('card.status')]}
            actions={t('admin.edit')}
          >
            <tbody>
              {accounts.data.map((a) => (
                <tr key={a.id}>
                  <th scope="row">
                    {a.username}
                    {a.displayName ? ` (${a.displayName})` : ''}
                  </th>
                  <td>{label(t, 'role', a.role)}</td>
                  <td>{a.role === 'ADMIN' ? t('app.allGates') : a.gates.join(', ')}</td>
                  <td>{a.companyTaxCode ?? t('app.none')}</td>
                  <td>{a.disabled ? t('admin.disabled') : t('admin.active')}</td>
                  <td>
                    {a.id !== me.id && (
                      <button type="button" class="secondary" disabled={toggle.busy} onClick={() => void toggle.act(a)}>
                        {a.disabled ? t('admin.enable', { name: a.username }) : t('admin.disable', { name: a.username })}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </section>
      <section class="panel" aria-labelledby="new-account-title">
        <h2 id="new-account-title">{t('admin.newAccount')}</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setCreated(undefined);
            void create.act();
          }}
        >
          <Field id="na-username" label={t('admin.username')} error={errorOf('username')}>
            <input
              id="na-username"
              required
              autoComplete="off"
              value={draft.username}
              onInput={(e) => setDraft({ ...draft, username: e.currentTarget.value })}
            />
          </Field>
          <Field id="na-password" label={t('admin.password')} error={errorOf('password')}>
            <input
              id="na-password"
              type="password"
              autoComplete="new-password"
              required
              value={draft.password}
              onInput={(e) => setDraft({ ...draft, password: e.currentTarget.value })}
            />
          </Field>
          <Field id="na-role" label={t('admin.role')} error={errorOf('role')}>
            <select
              id="na-role"
              value={draft.role}
              onChange={(e) => setDraft({ ...draft, role: e.currentTarget.value as NewAccount['role'] })}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {label(t, 'role', r)}
                </option>
              ))}
            </select>
          </Field>
          <fieldset>
            <legend>{t('admin.gates')}</legend>
            {(gates.data ?? []).map((g) => (
              <div class="pick" key={g.code}>
                <input
                  type="checkbox"
                  id={`na-gate-${g.code}`}
                  checked={draft.gates.includes(g.code)}
                  onChange={(e) =>
                    setDraft({
                      ...draft,
                      gates: e.currentTarget.checked ? [...draft.gates, g.code] : draft.gates.filter((c) => c !== g.code),
                    })
                  }
                />
                <label for={`na-gate-${g.code}`}>
                  {g.name} ({g.code})
                </label>
              </div>
            ))}
          </fieldset>
          {draft.role === 'DECLARANT' && (
            <Field id="na-tax" label={t('admin.taxCode')} error={errorOf('companyTaxCode')}>
              <input
                id="na-tax"
                value={draft.companyTaxCode ?? ''}
                onInput={(e) => setDraft({ ...draft, companyTaxCode: e.currentTarget.value })}
              />
            </Field>
          )}
          <Field id="na-name" label={t('admin.displayName')} error={errorOf('displayName')}>
            <input
              id="na-name"
              value={draft.displayName ?? ''}
              onInput={(e) => setDraft({ ...draft, displayName: e.currentTarget.value })}
            />
          </Field>
          <ProblemNote problem={create.problem} />
          {created && <p role="status">{created}</p>}
          <button type="submit" disabled={create.busy}>
            {t('admin.create')}
          </button>
        </form>
      </section>
    </div>
  );
}
