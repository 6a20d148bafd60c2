import { useEffect } from 'preact/hooks';
import { api, ok, whenUnauthorized } from './http/client';
import { setLanguage, language, useT } from './i18n';
import { homeOf, navFor } from './roles';
import { AccountsScreen } from './screens/admin-accounts';
import { DeadlinesScreen } from './screens/admin-deadlines';
import { FeeRatesScreen } from './screens/admin-fee-rates';
import { BoardScreen } from './screens/board';
import { CrossingScreen } from './screens/crossing';
import { DeclareScreen } from './screens/declare';
import { DriverScreen } from './screens/driver';
import { ExceptionsScreen } from './screens/exceptions';
import { GateQueueScreen } from './screens/gate-queue';
import { LoginScreen } from './screens/login';
import { MyTrucksScreen } from './screens/my-trucks';
import { PublicGatesScreen } from './screens/public-gates';
import { QueueScreen } from './screens/queue';
import { TrafficScreen } from './screens/traffic';
import { WebhooksScreen } from './screens/webhooks';
import { currentSession, session } from './session';
import { useSignal } from './ui/signal';
import { match, navigate, useRoute } from './ui/router';

/** Pages anyone opens without signing in: the driver's (its link is its key) and the public page of the gates. */
const OPEN_PAGES = new Set(['/driver', '/public']);

whenUnauthorized(() => {
  session.end();
  navigate('/login');
});

export function App() {
  const t = useT();
  const signedIn = useSignal(currentSession);
  const route = useRoute();
  const account = signedIn?.account;
  const path = route.split('?')[0];

  useEffect(() => {
    if (OPEN_PAGES.has(path)) return;
    if (!account && route !== '/login') navigate('/login');
    else if (account && (route === '/' || route === '/login')) navigate(homeOf(account));
  }, [account, route]);

  const logout = async () => {
    await ok(api.POST('/v1/auth/logout')).catch(() => undefined);
    session.end();
    navigate('/login');
  };

  const screen = () => {
    if (path === '/public') return <PublicGatesScreen />;
    if (!account) return <LoginScreen />;
    const crossing = match('/crossings/:id', route);
    if (crossing) return <CrossingScreen id={crossing.id} account={account} />;
    const correction = match('/crossings/:id/correct', route);
    if (correction) return <DeclareScreen account={account} correcting={correction.id} />;
    const subscription = match('/webhooks/:id', route);
    if (subscription) return <WebhooksScreen account={account} open={subscription.id} />;
    switch (path) {
      case '/queue':
        return <QueueScreen account={account} />;
      case '/exceptions':
        return <ExceptionsScreen account={account} />;
      case '/mine':
        return <MyTrucksScreen />;
      case '/declare':
        return <DeclareScreen account={account} />;
      case '/board':
        return <BoardScreen account={account} />;
      case '/gate-queue':
        return <GateQueueScreen account={account} />;
      case '/traffic':
        return <TrafficScreen account={account} />;
      case '/webhooks':
        return <WebhooksScreen account={account} />;
      case '/admin/accounts':
        return <AccountsScreen account={account} />;
      case '/admin/deadlines':
        return <DeadlinesScreen />;
      case '/admin/fee-rates':
        return <FeeRatesScreen />;
      default:
        return <p>{t('app.notFound')}</p>;
    }
  };

  // The driver's page stands alone: a phone in a cab, in the driver's language, with nothing of the console around it.
  if (path === '/driver')
    return (
      <>
        <header class="top driver-top">
          <div class="brand">
            <span class="brand-name" lang="vi">
              Cửa khẩu số
            </span>
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          <DriverScreen />
        </main>
      </>
    );

  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        {t('app.skip')}
      </a>
      <header class="top">
        <div class="brand">
          <span class="brand-name">{t('app.name')}</span>
          <span class="brand-tagline">{t('app.tagline')}</span>
        </div>
        {account && (
          <nav aria-label={t('app.nav')}>
            <ul>
              {navFor(account).map((item) => (
                <li key={item.path}>
                  <a href={`#${item.path}`} aria-current={route.startsWith(item.path) ? 'page' : undefined}>
                    {t(item.label)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div class="who">
          {account && (
            <span class="account">
              {t('app.signedInAs', { name: account.displayName ?? account.username })} · {t(`role.${account.role}` as never)} ·{' '}
              {t('app.gates', { gates: account.role === 'ADMIN' ? t('app.allGates') : account.gates.join(', ') })}
            </span>
          )}
          <button
            type="button"
            class="secondary"
            lang={language.value === 'vi' ? 'en' : 'vi'}
            title={t('app.languageLabel')}
            onClick={() => setLanguage(language.value === 'vi' ? 'en' : 'vi')}
          >
            {t('app.language')}
          </button>
          {account && (
            <button type="button" class="secondary" onClick={() => void logout()}>
              {t('app.logout')}
            </button>
          )}
          {!account && path === '/public' && (
            <a class="button secondary" href="#/login">
              {t('public.signIn')}
            </a>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {screen()}
      </main>
    </>
  );
}
