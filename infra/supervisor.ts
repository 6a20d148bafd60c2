import type { ChildProcess } from 'node:child_process';
import type { Logger } from './logger';

/** A started part of the system: its process, and how to stop it in order. */
export interface Running {
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface SupervisedPart {
  /** As a sentence names it: "the worker", "the Temporal dev server". */
  name: string;
  start(): Promise<Running>;
}

export interface RestartPolicy {
  /** This many unexpected stops within `windowMs` and the launcher gives up. */
  maxCrashes: number;
  windowMs: number;
  /** The first restart waits this long; each further one in the window twice as long, up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxCrashes: 5, windowMs: 120_000, firstDelayMs: 500, maxDelayMs: 15_000 };

/**
 * Keeps one part of the system running: when its process stops without being asked to (a crash, an OOM kill, a
 * `kill -9`), it is started again after a delay that grows with each stop in a short window, while the other parts
 * keep running. Each stop and restart is logged. A part that keeps stopping (`maxCrashes` within `windowMs`) is not
 * restarted again: `onGiveUp` is called with a sentence saying which part and why, and the launcher stops everything.
 */
export class Supervisor {
  private current: Running | undefined;
  private crashes: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** A restart's start in progress, settled once what it started is adopted or, after a stop, stopped. */
  private restarting: Promise<void> | undefined;

  constructor(
    private readonly part: SupervisedPart,
    private readonly opts: {
      log: Logger;
      onGiveUp: (sentence: string) => void;
      /** Called with every new process (the first and each restart), e.g. to record its pid. */
      onStarted?: (process: ChildProcess) => void;
      policy?: RestartPolicy;
    },
  ) {}

  get process(): ChildProcess | undefined {
    return this.current?.process;
  }

  /** The first start: a failure here is the caller's (the launcher reports it and stops). */
  async start(): Promise<void> {
    this.adopt(await this.part.start());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    // A restart still starting its process stops that process itself once it is up (see restart): wait for it, so
    // that nothing of this part outlives the stop.
    await this.restarting;
    await this.current?.stop();
  }

  private adopt(running: Running): void {
    this.current = running;
    this.opts.onStarted?.(running.process);
    running.process.once('exit', (code, signal) => {
      if (this.stopping || this.current !== running) return;
      this.stopped(signal ? `was killed by ${signal}` : `exited with code ${code}`);
    });
  }

  private stopped(how: string): void {
    const policy = this.opts.policy ?? DEFAULT_RESTART_POLICY;
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < policy.windowMs), now];
    const { log } = this.opts;
    if (this.crashes.length >= policy.maxCrashes) {
      const sentence =
        `${capitalise(this.part.name)} ${how}; it has stopped ${this.crashes.length} times within ` +
        `${Math.round(policy.windowMs / 1000)} s, so it is not restarted again. Read its log above for why it stops.`;
      log.fatal({ part: this.part.name, stops: this.crashes.length }, sentence);
      this.opts.onGiveUp(sentence);
      return;
    }
    const delay = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (this.crashes.length - 1));
    log.error(
      { part: this.part.name, stops: this.crashes.length, restartInMs: delay },
      `${this.part.name} ${how}; restarting it in ${(delay / 1000).toFixed(1)} s ` +
        `(stop ${this.crashes.length} of at most ${policy.maxCrashes - 1} within ${Math.round(policy.windowMs / 1000)} s)`,
    );
    this.timer = setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    const starting = this.part.start();
    // stop() may be called while the new process starts: it must not be adopted after the stop and left running.
    this.restarting = starting.then(
      async (running) => {
        if (this.stopping) await running.stop();
      },
      () => undefined,
    );
    try {
      const running = await starting;
      if (this.stopping) return;
      this.adopt(running);
      this.opts.log.info({ part: this.part.name, pid: this.current?.process.pid }, `${this.part.name} restarted`);
    } catch (err) {
      if (!this.stopping) this.stopped(`could not be started again (${(err as Error).message})`);
    } finally {
      this.restarting = undefined;
    }
  }
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
