/** The leaf fields of a declaration as API paths (`goods.0.hsCode`), for picking the fields at fault. */
export function leafPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leafPaths(item, prefix ? `${prefix}.${i}` : String(i)));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, v]) => leafPaths(v, prefix ? `${prefix}.${key}` : key));
  return prefix ? [prefix] : [];
}
