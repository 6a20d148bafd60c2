import { signal } from './ui/signal';
import type { Account } from './http/client';

/**
 * Who is signed in, per browser tab (sessionStorage): one tab per role works side by side, and closing the tab ends
 * the session on that machine. The token itself is ended by the API at logout.
 */
const KEY = 'border-gate.session';

interface Stored {
  token: string;
  expiresAt: string;
  account: Account;
}

function read(): Stored | null {
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Stored | null;
    return stored && Date.parse(stored.expiresAt) > Date.now() ? stored : null;
  } catch {
    return null;
  }
}

export const currentSession = signal<Stored | null>(read());

export const session = {
  token: () => currentSession.value?.token ?? null,
  account: () => currentSession.value?.account ?? null,
  start(stored: Stored) {
    sessionStorage.setItem(KEY, JSON.stringify(stored));
    currentSession.value = stored;
  },
  end() {
    sessionStorage.removeItem(KEY);
    currentSession.value = null;
  },
};
