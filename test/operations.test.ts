import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../infra/ports';
import { http, system } from './system/client';
import { ROOT, stopProcess } from '../infra/launch-system';

describe('operating the system', () => {
  it('is up and ready once npm start has printed its addresses', async () => {
    expect((await http('GET', '/healthz')).status).toBe(200);
    const ready = await http('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ postgres: 'up', temporal: 'up', worker: 'up' });
  });

  it('serves Prometheus metrics with HTTP counts by route and the Temporal worker metrics', async () => {
    await http('GET', '/v1/gates'); // an unauthenticated call, counted as a 401
    const res = await fetch(`${system().apiUrl}/metrics`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/v1\/gates",status="401"\} \d+/);
    expect(text).toMatch(/http_request_duration_seconds_bucket/);
    expect(text).toMatch(/temporal_worker_task_slots_available|temporal_workflow_task_schedule_to_start_latency/);
  });

  it('describes every route in an OpenAPI document generated from the zod schemas, with Swagger UI at /docs', async () => {
    const doc = await http('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/auth/login',
        '/v1/me',
        '/v1/accounts',
        '/v1/accounts/{id}',
        '/v1/gates',
        '/v1/crossings',
        '/v1/crossings/{id}',
      ]),
    );
    expect(doc.body.components.schemas.Declaration.properties.goods).toBeDefined();
    const docs = await fetch(`${system().apiUrl}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger-ui/i);
  });

  it('answers an unknown route and malformed JSON with problem+json', async () => {
    const missing = await http('GET', '/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(missing.body).toMatchObject({ title: 'Not Found', status: 404 });

    const broken = await http('POST', '/v1/auth/login', { body: '{"username": ', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect(broken.body.detail).toMatch(/not valid JSON/);
  });

  it('refuses a body larger than the limit with 413, not a crash', async () => {
    const huge = await http('POST', '/v1/auth/login', { body: { username: 'x', password: 'y'.repeat(300_000) } });
    expect(huge.status).toBe(413);
    expect(huge.body.status).toBe(413);
  });

  it('answers /readyz with 503 naming PostgreSQL when the database is unreachable', async () => {
    const port = await freePort();
    const deadDatabase = `postgres://nobody:nothing@127.0.0.1:${await freePort()}/none`;
    const api = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'api/main.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: deadDatabase,
        TEMPORAL_ADDRESS: system().temporalAddress,
        DATA_DIR: system().dataDir,
        LOG_LEVEL: 'fatal',
      },
      stdio: 'ignore',
    });
    try {
      const baseUrl = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 100; i++) {
        const up = await fetch(`${baseUrl}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (up) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const ready = await http('GET', '/readyz', { baseUrl });
      expect(ready.status).toBe(503);
      expect(ready.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(ready.body.detail).toMatch(/PostgreSQL down/);
      expect(ready.body.checks.temporal).toBe('up');
      expect(ready.body.checks.postgres).toBe('down: connection refused');
      // A public answer: the kind of failure, not the database's host, port or user.
      expect(JSON.stringify(ready.body)).not.toMatch(/127\.0\.0\.1|nobody|:\d{4,5}/);

      // A request that needs the database gets 503 too, never a 500.
      const login = await http('POST', '/v1/auth/login', { baseUrl, body: { username: 'admin', password: 'whatever-it-is' } });
      expect(login.status).toBe(503);
    } finally {
      await stopProcess(api);
    }
  });
});
