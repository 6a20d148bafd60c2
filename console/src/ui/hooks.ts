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
      const problem = err instanceof Problem ? err : new Problem(0, 'Error', String(err));
      if (mine === generation.current) setState((s) => ({ ...s, problem, loading: false }));
    }
  }, []);

  useEffect(() => {
    setState({ data: undefined, problem: undefined, loading: true, updatedAt: undefined });
    void reload();
    if (!everyMs) return undefined;
    const timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') void reload();
    }, everyMs);
    return () => {
      clearInterval(timer);
      generation.current++;
    };
  }, deps);

  return { ...state, reload };
}

/** A change the person starts (a decision, a form): its progress and the problem it met. */
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
        setProblem(err instanceof Problem ? err : new Problem(0, 'Error', String(err)));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [run],
  );
  return { act, busy, problem, clear: () => setProblem(undefined) };
}
