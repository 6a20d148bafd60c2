import type { NativeConnection } from '@temporalio/worker';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import type { Logger } from '../infra/logger';

const ALREADY_EXISTS = 6;
const PERMISSION_DENIED = 7;
const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;

/**
 * Registers the crossing search attributes on the namespace, once. Temporal being briefly unreachable is waited out;
 * a cluster where they already exist is left as it is. A cluster where this worker may not add them (a production
 * namespace managed by its operators) is said in a sentence naming the command that adds them, and the worker runs on:
 * until the attributes exist the API refuses declarations with a 503 saying so (a crossing starts with them), and
 * crossings begun before that change, which upsert them, have their workflow tasks fail and then go on by themselves.
 */
export async function registerSearchAttributes(connection: NativeConnection | Connection, namespace: string, log: Logger): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const existing = await connection.operatorService.listSearchAttributes({ namespace });
      const missing = SEARCH_ATTRIBUTES.filter((key) => !(key.name in (existing.customAttributes ?? {})));
      if (missing.length === 0) return;
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(
          missing.map((key) => [key.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
        ),
      });
      log.info({ added: missing.map((k) => k.name) }, 'registered search attributes');
      return;
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code === ALREADY_EXISTS) return;
      if ((code === UNAVAILABLE || code === DEADLINE_EXCEEDED) && Date.now() < deadline) {
        log.warn({ err: (err as Error).message }, 'Temporal not reachable yet to register search attributes; retrying');
        await new Promise((r) => setTimeout(r, 2000));
        continue;
      }
      const names = SEARCH_ATTRIBUTES.map((k) => `--name ${k.name} --type Keyword`).join(' ');
      log.error(
        { code, err: (err as Error).message },
        `${code === PERMISSION_DENIED ? 'this worker may not add' : 'could not add'} the crossing search attributes to namespace ` +
          `${namespace}; declarations are refused and crossings cannot make progress until an operator runs: temporal operator search-attribute create ` +
          `--namespace ${namespace} ${names}`,
      );
      return;
    }
  }
}
