/**
 * Spreads chart redraws over animation frames so no single task does them all: jobs are queued
 * (each at most once), and every frame runs queued jobs in order until `budgetMs` is spent (at
 * least one job per frame). A job may ask to be the last one of its frame (it started work that
 * finishes later in the frame). An `exclusive` job (one that changes the DOM, whose style, layout
 * and paint then come with the frame) gets a frame of its own.
 */

export type Job = (() => void | 'yield') & { exclusive?: boolean };

/** Mark a job as needing a frame of its own. */
export function exclusive<T extends () => void | 'yield'>(job: T): T & { exclusive: true } {
  return Object.assign(job, { exclusive: true as const });
}

export interface FrameQueueDeps {
  /** Calls back before the next frame (requestAnimationFrame in the page). */
  frame(cb: () => void): void;
  now(): number;
}

export class FrameQueue {
  private readonly jobs = new Set<Job>();
  private scheduled = false;

  constructor(
    private readonly deps: FrameQueueDeps,
    private readonly budgetMs = 3,
  ) {}

  /** Queue a job (no-op when it is already queued). */
  request(job: Job): void {
    this.jobs.add(job);
    this.schedule();
  }

  cancel(job: Job): void {
    this.jobs.delete(job);
  }

  get size(): number {
    return this.jobs.size;
  }

  /** Runs one frame's worth of jobs now (what the frame callback does). */
  runFrame(): void {
    this.scheduled = false;
    const start = this.deps.now();
    // jobs queued while this frame runs wait for the next one
    let ran = 0;
    for (const job of [...this.jobs]) {
      if (!this.jobs.has(job)) continue; // cancelled meanwhile
      if (job.exclusive && ran > 0) break; // it opens the next frame
      this.jobs.delete(job);
      ran++;
      let stop = job.exclusive === true;
      try {
        if (job() === 'yield') stop = true;
      } catch (e) {
        console.error(e);
      }
      if (stop || this.deps.now() - start >= this.budgetMs) break;
    }
    if (this.jobs.size > 0) this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.deps.frame(() => this.runFrame());
  }
}

let shared: FrameQueue | undefined;

/** The page's queue (requestAnimationFrame; a 16 ms timer where there is none). */
export function chartQueue(): FrameQueue {
  shared ??= new FrameQueue({
    frame: (cb) => {
      if (typeof requestAnimationFrame === 'function') requestAnimationFrame(cb);
      else setTimeout(cb, 16);
    },
    now: () => performance.now(),
  });
  return shared;
}

/**
 * `job` requested through `queue` at most once per `wait()` window: `request()` queues it at once
 * when `wait()` (the milliseconds still to wait) is not positive, else sets one timer for then
 * (a request while that timer is set does nothing); `now()` drops the timer and queues it at
 * once; `cancel()` drops both.
 */
export function spaced(
  queue: FrameQueue,
  job: Job,
  wait: () => number,
): { request(): void; now(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const clear = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return {
    request() {
      if (timer !== undefined) return;
      const ms = wait();
      if (ms <= 0) queue.request(job);
      else
        timer = setTimeout(() => {
          timer = undefined;
          queue.request(job);
        }, ms);
    },
    now() {
      clear();
      queue.request(job);
    },
    cancel() {
      clear();
      queue.cancel(job);
    },
  };
}
