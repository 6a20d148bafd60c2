import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../infra/ports';
import { system } from './system/client';
import { kill, startWorker } from './system/processes';

/** An orchestrator probes a worker and Prometheus scrapes it on the worker's own port, with no API in between. */
describe("the worker's own health and metrics port", () => {
  it('answers /healthz 200 with both Workers RUNNING and serves process and SDK core metrics, until it is stopped', async () => {
    const port = await freePort();
    const worker = startWorker(`worker-http-${Date.now()}`, { WORKER_HTTP_PORT: String(port) });
    const url = `http://127.0.0.1:${port}`;
    try {
      let health: Response | undefined;
      for (let i = 0; i < 150 && health?.status !== 200; i++) {
        health = await fetch(`${url}/healthz`).catch(() => undefined);
        if (health?.status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      expect(health?.status).toBe(200);
      expect(await health!.json()).toEqual({ status: 'ok', workers: { crossings: 'RUNNING', webhooks: 'RUNNING' } });

      const metrics = await fetch(`${url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await metrics.text();
      expect(text).toMatch(/^process_cpu_user_seconds_total /m);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
      // The core's own series, from its Prometheus endpoint on a port of this machine only.
      expect(text).toContain('# Temporal SDK core metrics\n');
      expect(text).toMatch(/^temporal_\w+/m);
      expect((await fetch(`${url}/other`)).status).toBe(404);
    } finally {
      await kill(worker, 'SIGTERM');
    }
    expect(worker.exitCode).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('refuses to start with a host name for WORKER_HTTP_HOST, saying so', async () => {
    const taskQueue = `worker-http-host-${Date.now()}`;
    const worker = startWorker(taskQueue, { WORKER_HTTP_PORT: String(await freePort()), WORKER_HTTP_HOST: 'localhost' });
    const code = await new Promise<number | null>((resolve) => worker.once('exit', resolve));
    expect(code).toBe(1);
    const log = fs.readFileSync(path.join(system().dataDir, `worker-${taskQueue}.log`), 'utf8');
    expect(log).toContain('WORKER_HTTP_HOST must be an IP address to listen on, such as 127.0.0.1 or 0.0.0.0; got \\"localhost\\"');
  });
});
