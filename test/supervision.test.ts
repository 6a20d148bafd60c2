import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../infra/logger';
import { PidFiles } from '../infra/pid-files';
import { portTakenSentence } from '../infra/process-table';
import { stopProcess } from '../infra/stop-process';
import { Supervisor, type Running } from '../infra/supervisor';

/** What `npm start` does for the parts it runs, tried on stand-in processes (a short `node -e` each). */
describe('the launcher keeps the system running', () => {
  const log = createLogger('test', 'silent');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'supervision-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const standIn = (script: string): Running => {
    const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    return { process: child, stop: () => stopProcess(child, 5000) };
  };

  it('restarts a part that crashes, with a growing delay, and gives up with a sentence when it keeps crashing', async () => {
    const starts: number[] = [];
    let gaveUp: string | undefined;
    const supervisor = new Supervisor(
      {
        name: 'the worker',
        start: async () => {
          starts.push(Date.now());
          return standIn('process.exit(3)');
        },
      },
      {
        log,
        onGiveUp: (sentence) => (gaveUp = sentence),
        policy: { maxCrashes: 4, windowMs: 60_000, firstDelayMs: 100, maxDelayMs: 1000 },
      },
    );
    await supervisor.start();
    for (let i = 0; i < 100 && !gaveUp; i++) await new Promise((r) => setTimeout(r, 100));
    expect(starts).toHaveLength(4);
    // It waits 100 ms, then 200, then 400 before the starts. A gap also holds the stand-in's own start and exit,
    // which vary with the machine's load, so only the waits are a floor the gaps can be held to (a timer never
    // fires early by more than its 1 ms rounding).
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(99);
    expect(gaps[1]).toBeGreaterThanOrEqual(199);
    expect(gaps[2]).toBeGreaterThanOrEqual(399);
    expect(gaveUp).toMatch(/^The worker exited with code 3; it has stopped 4 times within 60 s, so it is not restarted again/);
    await supervisor.stop();
  });

  it('does not restart a part it was asked to stop', async () => {
    let starts = 0;
    const supervisor = new Supervisor(
      { name: 'the API', start: async () => (starts++, standIn('setInterval(() => {}, 1000)')) },
      { log, onGiveUp: () => undefined, policy: { maxCrashes: 3, windowMs: 60_000, firstDelayMs: 50, maxDelayMs: 50 } },
    );
    await supervisor.start();
    await supervisor.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(starts).toBe(1);
  });

  it('stops a part whose restart was still starting when it was asked to stop', async () => {
    const started: Running[] = [];
    let restartBegan = () => {};
    const restarting = new Promise<void>((resolve) => (restartBegan = resolve));
    const supervisor = new Supervisor(
      {
        name: 'the worker',
        start: async () => {
          // The first one crashes at once; its restart takes a while to come up.
          if (started.length) {
            restartBegan();
            await new Promise((r) => setTimeout(r, 500));
          }
          const running = standIn(started.length ? 'setInterval(() => {}, 1000)' : 'process.exit(3)');
          started.push(running);
          return running;
        },
      },
      { log, onGiveUp: () => undefined, policy: { maxCrashes: 5, windowMs: 60_000, firstDelayMs: 50, maxDelayMs: 50 } },
    );
    await supervisor.start();
    await restarting;
    await supervisor.stop();
    expect(started).toHaveLength(2);
    const restarted = started[1].process;
    expect(restarted.exitCode !== null || restarted.signalCode !== null).toBe(true);
  });

  it('stops what a killed launcher left running, and refuses to start beside a launcher that still runs', async () => {
    const pidFiles = new PidFiles(dataDir);
    const leftover = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true });
    await new Promise((r) => setTimeout(r, 200));
    pidFiles.record('temporal', leftover.pid);
    expect(pidFiles.running('temporal')?.pid).toBe(leftover.pid);
    const exited = new Promise((resolve) => leftover.once('exit', (_code, signal) => resolve(signal)));
    await pidFiles.stopLeftovers(log);
    expect(await exited).toBe('SIGTERM');
    expect(pidFiles.running('temporal')).toBeUndefined();

    const otherLauncher = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    pidFiles.record('launcher', otherLauncher.pid);
    await expect(pidFiles.stopLeftovers(log)).rejects.toThrow(
      new RegExp(`npm start is already running with this data folder .*, as process ${otherLauncher.pid}: stop it first`),
    );
    await stopProcess(otherLauncher, 5000);
    // A recorded pid whose process has gone (or was reused by another) is not a leftover.
    expect(pidFiles.running('launcher')).toBeUndefined();
  });

  it('says which process holds a port that a part needs', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      expect(portTakenSentence(port, 'PORT')).toMatch(
        new RegExp(
          `^port ${port} is already in use by process ${process.pid} \\(.*node.*\\): stop that process, or set PORT to a free port$`,
        ),
      );
    } finally {
      server.close();
    }
  });
});
