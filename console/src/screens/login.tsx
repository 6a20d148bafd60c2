import { useState } from 'preact/hooks';
import { api, ok } from '../http/client';
import { useT } from '../i18n';
import { session } from '../session';
import { useAction } from '../ui/hooks';
import { Field, ProblemNote } from '../ui/parts';

export function LoginScreen() {
  const t = useT();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const login = useAction(async () => {
    const answer = await ok(api.POST('/v1/auth/login', { body: { username, password } }));
    session.start(answer);
  });
  return (
    <section class="panel narrow">
      <h1>{t('login.title')}</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void login.act();
        }}
      >
        <Field id="username" label={t('login.username')}>
          <input
            id="username"
            name="username"
            autoComplete="username"
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </Field>
        <Field id="password" label={t('login.password')}>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <ProblemNote problem={login.problem} />
        <button type="submit" disabled={login.busy}>
          {login.busy ? t('login.working') : t('login.submit')}
        </button>
      </form>
      <p class="login-public">
        <a href="#/public">{t('login.public')}</a>
      </p>
    </section>
  );
}
