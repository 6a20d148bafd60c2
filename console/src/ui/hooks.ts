import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { Problem } from '../http/client';

export interface Loaded<T> {
  data: T | undefined;
  problem: Problem | undefined;
  loading: boolean;
  updatedAt: Date | undefined;
  reload: () => Promise<void>;
}

/**
 * Loads something from the API and, with `everyMs`, keeps it current by asking again (screens update live without a
 * reload: the console uses only the API's routes, so it polls them). A failed poll keeps the last data on screen and
 * shows the problem beside it.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everyMs?: number): Loaded<T> {
  const [state, setState] = useState<Omit<Loaded<T>, 'reload'>>({
    data: undefined,
    problem: undefined,
    loading: true,
    updatedAt: undefined,
  });
  const latest = useRef(load);
  latest.current = load;
  const generation = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const data = await latest.current();
      if (mine === generation.current) setState({ data, problem: undefined, loading: false, updatedAt: new Date() });
    } catch (err) {
      const problem = asProblem(err);
      if (mine === generation.current) setState((s) => ({ ...s, problem, loading: false }));
    }
  }, []);

  useEffect(() => {
    setState({ data: undefined, problem: undefined, loading: true, updatedAt: undefined });
    // The next poll is scheduled when this one has settled, so a slow API never has requests piling up from one screen.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const poll = async () => {
      if (document.visibilityState !== 'hidden') await reload();
      if (!stopped && everyMs) timer = setTimeout(() => void poll(), everyMs);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
      generation.current++;
    };
  }, deps);

  return { ...state, reload };
}

/** What went wrong, as the screens show it: the API's problem, or (status -1) a fault of the console itself. */
const asProblem = (err: unknown) => (err instanceof Problem ? err : new Problem(-1, 'Error', String(err)));

/** Something the person starts (a search, a download): its progress and the problem it met. */
export function useAction<A extends unknown[], R>(run: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>();
  const act = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setBusy(true);
      setProblem(undefined);
      try {
        return await run(...args);
      } catch (err) {
        setProblem(asProblem(err));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [run],
  );
  return { act, busy, problem, clear: () => setProblem(undefined) };
}

/**
 * A change the person starts (a decision, a form sent): like `useAction`, and its requests carry one Idempotency-Key
 * that is kept while the outcome is unknown (no answer, or 503), so that pressing the button again after an outage
 * retries the same change, as API.md asks, and cannot make it twice. A definite answer, or success, starts a new key.
 */
export function useChange<A extends unknown[], R>(run: (headers: { 'Idempotency-Key': string }, ...args: A) => Promise<R>) {
  const key = useRef(crypto.randomUUID());
  const action = useAction(
    useCallback(
      async (...args: A) => {
        try {
          const result = await run({ 'Idempotency-Key': key.current }, ...args);
          key.current = crypto.randomUUID();
          return result;
        } catch (err) {
          if (!(err instanceof Problem) || (err.status !== 0 && err.status !== 503)) key.current = crypto.randomUUID();
          throw err;
        }
      },
      [run],
    ),
  );
  return action;
}
