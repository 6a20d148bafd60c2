import { signal, useSignal } from './signal';

/**
 * Screens are addressed by the part of the URL after `#` (`#/crossings/…`), so the API serves one page for all of
 * them and a link to a truck can be shared between two tabs.
 */
const current = signal(location.hash.slice(1) || '/');
addEventListener('hashchange', () => {
  current.value = location.hash.slice(1) || '/';
});

export function useRoute(): string {
  return useSignal(current);
}

export function navigate(path: string): void {
  location.hash = path;
}

/** `/crossings/:id` against `/crossings/abc` → `{ id: 'abc' }`, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const names: string[] = [];
  const regex = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, name: string) => (names.push(name), '([^/?]+)'))}(?:\\?.*)?$`);
  const found = regex.exec(path);
  return found ? Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(found[i + 1])])) : null;
}
