/**
 * The training loop that runs inside the worker, independent of the worker globals so that it
 * can be tested with a fake trainer. All trainer work is serialised on one promise chain: a
 * new config or a reset waits for the advance() in flight, then replaces the trainer.
 *
 * Device loss: every `checkpointEvery` steps the session asks the trainer for a checkpoint
 * (captured at once, copied to the host in the background). When the WebGPU device is lost, the
 * experiment resumes from the last checkpoint on a new device, or on the CPU when none can be had;
 * rows the page already has (up to the last step posted) are not posted again.
 */
import type { Experiment } from '../schema/types';
import type { MetricRow, Trainer } from '../engine/trainer';
import type { Checkpoint } from '../engine/checkpoint';
import { SharpnessTracker } from './divergence';
import { SessionQueries, type Query } from './queries';
import {
  DEFAULT_STEPS_PER_FRAME,
  MAX_STEPS_PER_FRAME,
  type BackendPreference,
  type FromWorker,
  type RunState,
  type ToWorker,
} from './protocol';

export interface SessionDeps {
  post(msg: FromWorker): void;
  /** Build a trainer (from a checkpoint when given); rejects with a reason when the backend cannot be used. */
  createTrainer(exp: Experiment, backend: 'webgpu' | 'cpu', resume?: Checkpoint): Promise<Trainer>;
  /** Lets queued messages in between chunks (a macrotask in the worker). */
  yieldToEvents(): Promise<void>;
  now(): number;
  /** Steps between checkpoints (default DEFAULT_CHECKPOINT_EVERY). */
  checkpointEvery?: number;
}

export const DEFAULT_CHECKPOINT_EVERY = 100;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class TrainingSession {
  private trainer: Trainer | undefined;
  private trainerGen = 0;
  private experiment: Experiment | undefined;
  private gen = 0;
  private playing = false;
  private building = false;
  private stepsPerFrame = DEFAULT_STEPS_PER_FRAME;
  private stopAt: number | null = null;
  private preference: BackendPreference = 'auto';
  /** Set once WebGPU has failed: later builds go straight to the CPU. */
  private gpuUnavailable: string | undefined;
  private chain: Promise<void> = Promise.resolve();
  private pumping = false;
  private reported = new Set<number>();
  private stepsPerSecond = 0;
  /** The current experiment's last completed checkpoint, and whether one is being copied. */
  private checkpoint: Checkpoint | undefined;
  private checkpointing = false;
  /** Highest step of the rows posted for the current trainer generation; after a resume, rows up to it are not posted again. */
  private postedThrough = -1;
  private readonly sharpness = new SharpnessTracker();
  /** Trainers whose device loss is already being handled. */
  private readonly lostTrainers = new WeakSet<Trainer>();
  /** Parameters, loss surfaces and path tracking (queries.ts). */
  private readonly queries = new SessionQueries((m) => this.deps.post(m));

  constructor(private readonly deps: SessionDeps) {}

  handle(msg: ToWorker): void {
    if (msg.type === 'params' || msg.type === 'surface' || msg.type === 'track') return this.query(msg);
    switch (msg.type) {
      case 'config': {
        this.gen = msg.gen;
        this.experiment = msg.experiment;
        this.playing = msg.play;
        if (msg.backend) this.preference = msg.backend;
        const { gen, experiment } = msg;
        void this.enqueue(() => this.build(gen, experiment));
        if (msg.play) this.kick();
        break;
      }
      case 'reset': {
        this.gen = msg.gen;
        this.playing = false;
        const exp = this.experiment;
        const gen = msg.gen;
        if (exp) void this.enqueue(() => this.build(gen, exp));
        break;
      }
      case 'play':
        if (this.trainer && this.stopAt !== null && this.trainer.step >= this.stopAt) this.stopAt = null;
        this.playing = true;
        this.kick();
        break;
      case 'pause':
        this.playing = false;
        void this.enqueue(async () => this.postStatus());
        break;
      case 'step':
        this.playing = false;
        void this.enqueue(() => this.advance(Math.max(1, Math.floor(msg.n))));
        break;
      case 'speed':
        this.stepsPerFrame = Math.min(MAX_STEPS_PER_FRAME, Math.max(1, Math.floor(msg.stepsPerFrame) || 1));
        break;
      case 'stop-at':
        this.stopAt = msg.step === null || !Number.isFinite(msg.step) ? null : Math.max(0, Math.floor(msg.step));
        break;
    }
  }

  /** Answered on the chain, between advances, so that the answer belongs to one step. */
  private query(q: Query): void {
    this.queries.remember(q);
    void this.enqueue(() => this.queries.answer(q, this.trainer, this.trainerGen));
  }

  /**
   * The WebGPU device was lost: resume the current experiment from its last checkpoint (step 0 if
   * none was taken yet) on a new device, or on the CPU when none can be had, and say so.
   */
  deviceLost(reason: string): void {
    const t = this.trainer;
    if (t?.backend === 'webgpu') this.trainerLost(t, reason);
  }

  private trainerLost(t: Trainer, reason: string): void {
    if (this.lostTrainers.has(t)) return;
    this.lostTrainers.add(t);
    void this.enqueue(() => this.resumeAfterLoss(t, reason));
  }

  /** On the chain: replace the lost trainer by one resumed from the last checkpoint. */
  private async resumeAfterLoss(lost: Trainer, reason: string): Promise<void> {
    if (lost !== this.trainer) return; // replaced meanwhile (new config or reset)
    const gen = this.trainerGen;
    const exp = lost.experiment;
    const ck = this.checkpoint;
    const lostAt = lost.step;
    try {
      lost.dispose();
    } catch {
      // a lost device may refuse; nothing is left to release
    }
    this.trainer = undefined;
    this.building = true;
    this.postStatus();
    const from = ck ? `the checkpoint at step ${ck.step}` : 'step 0 (no checkpoint had been taken yet)';
    const redo = ck ? ck.step : 0;
    const recomputed =
      lostAt > redo ? `; steps ${redo + 1}-${lostAt} are computed again, the curves so far are kept` : '';
    let trainer: Trainer | undefined;
    let fallbackReason: string | undefined;
    let where = 'on a new WebGPU device';
    try {
      if (this.preference !== 'cpu') {
        try {
          trainer = await this.deps.createTrainer(exp, 'webgpu', ck);
        } catch (e) {
          this.gpuUnavailable = `the WebGPU device was lost (${reason}) and no new one could be acquired (${message(e)})`;
          if (this.preference === 'webgpu') throw new Error(`WebGPU is unavailable: ${this.gpuUnavailable}`);
        }
      }
      if (!trainer) {
        trainer = await this.deps.createTrainer(exp, 'cpu', ck);
        where = 'on the CPU';
        fallbackReason =
          this.preference === 'cpu'
            ? 'the CPU backend was requested'
            : `${this.gpuUnavailable}; training resumed from ${from}`;
      }
    } catch (e) {
      this.playing = false;
      this.building = false;
      this.deps.post({
        type: 'error',
        gen,
        message: `could not resume after the WebGPU device was lost: ${message(e)}`,
      });
      this.postStatus();
      return;
    }
    this.building = false;
    if (gen !== this.gen) {
      trainer.dispose();
      return;
    }
    this.trainer = trainer;
    this.adopt(trainer);
    const { backend, adapterDescription: adapter } = trainer;
    this.deps.post({ type: 'backend', gen, backend, adapter, fallbackReason });
    this.deps.post({
      type: 'notice',
      gen,
      message: `The WebGPU device was lost (${reason}). Training resumed ${where} from ${from}${recomputed}.`,
    });
    this.postStatus();
    if (this.playing) this.kick();
  }

  /** A new current trainer: it records the tracked runs' paths; resume elsewhere when its device is lost. */
  private adopt(t: Trainer): void {
    this.queries.applyTrack(t, true);
    void t.lost?.then((reason) => {
      if (t === this.trainer) this.trainerLost(t, reason);
    });
  }

  /** Resolves when everything queued so far has run (for tests). */
  idle(): Promise<void> {
    return this.chain;
  }

  private enqueue(fn: () => Promise<void>): Promise<void> {
    const config = this.gen;
    const next = this.chain.then(fn).catch((e: unknown) => {
      if (this.gen === config) this.playing = false; // not the experiment that replaced it
      this.deps.post({ type: 'error', gen: this.trainerGen, message: message(e) });
      this.postStatus();
    });
    this.chain = next;
    return next;
  }

  private state(): RunState {
    if (this.building) return 'building';
    const t = this.trainer;
    if (!t) return 'idle';
    if (t.step >= t.experiment.steps) return 'done';
    return this.playing ? 'playing' : 'paused';
  }

  private postStatus(): void {
    const t = this.trainer;
    this.deps.post({
      type: 'status',
      gen: this.building ? this.gen : this.trainerGen,
      state: this.state(),
      step: t?.step ?? 0,
      steps: t?.experiment.steps ?? this.experiment?.steps ?? 0,
      stepsPerSecond: this.stepsPerSecond,
    });
  }

  private async build(gen: number, exp: Experiment): Promise<void> {
    if (gen !== this.gen) return; // a newer config or reset is queued behind this one
    this.trainer?.dispose();
    this.trainer = undefined;
    this.reported.clear();
    this.stepsPerSecond = 0;
    this.checkpoint = undefined;
    this.postedThrough = -1;
    this.sharpness.clear();
    this.building = true;
    this.postStatus();
    try {
      const { trainer, fallbackReason } = await this.createWithFallback(exp);
      if (gen !== this.gen) {
        trainer.dispose();
        return;
      }
      this.trainer = trainer;
      this.trainerGen = gen;
      this.adopt(trainer);
      this.deps.post({
        type: 'backend',
        gen,
        backend: trainer.backend,
        adapter: trainer.adapterDescription,
        fallbackReason,
      });
    } catch (e) {
      this.playing = false;
      this.trainerGen = gen;
      this.deps.post({ type: 'error', gen, message: `could not build the trainer: ${message(e)}` });
    } finally {
      this.building = false;
      this.postStatus();
    }
    if (this.playing) this.kick();
  }

  private async createWithFallback(exp: Experiment): Promise<{ trainer: Trainer; fallbackReason?: string }> {
    if (this.preference === 'cpu')
      return { trainer: await this.deps.createTrainer(exp, 'cpu'), fallbackReason: 'the CPU backend was requested' };
    if (this.gpuUnavailable === undefined) {
      try {
        return { trainer: await this.deps.createTrainer(exp, 'webgpu') };
      } catch (e) {
        if (this.preference === 'webgpu') throw e;
        this.gpuUnavailable = message(e);
      }
    } else if (this.preference === 'webgpu') {
      throw new Error(`WebGPU is unavailable: ${this.gpuUnavailable}`);
    }
    return { trainer: await this.deps.createTrainer(exp, 'cpu'), fallbackReason: this.gpuUnavailable };
  }

  private kick(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        await this.chain; // let a queued build finish first
        if (!this.playing || !this.trainer || this.state() !== 'playing') break;
        await this.enqueue(() => this.advance(this.chunk()));
        await this.deps.yieldToEvents();
      }
    } finally {
      this.pumping = false;
    }
  }

  private chunk(): number {
    const t = this.trainer;
    let n = this.stepsPerFrame;
    if (t && this.stopAt !== null && this.stopAt > t.step) n = Math.min(n, this.stopAt - t.step);
    return n;
  }

  private async advance(n: number): Promise<void> {
    const t = this.trainer;
    if (!t || t.step >= t.experiment.steps) {
      this.postStatus();
      return;
    }
    const gen = this.trainerGen;
    const config = this.gen;
    const start = this.deps.now();
    const before = t.step;
    let rows: MetricRow[];
    try {
      rows = await t.advance(n);
    } catch (e) {
      if (await this.deviceWasLost(t)) return; // resumeAfterLoss is queued behind this
      throw e;
    }
    // Replaced, or a new config or reset came meanwhile: stale rows; its end must not pause the next run.
    if (t !== this.trainer || this.gen !== config) return;
    const seconds = (this.deps.now() - start) / 1000;
    const done = t.step - before;
    if (seconds > 0 && done > 0) {
      const sps = done / seconds;
      this.stepsPerSecond = this.stepsPerSecond === 0 ? sps : 0.7 * this.stepsPerSecond + 0.3 * sps;
    }
    // After a resume, the page already has the rows up to postedThrough.
    const fresh = rows.filter((r) => r.step > this.postedThrough);
    for (const r of fresh) if (r.step > this.postedThrough) this.postedThrough = r.step;
    this.sharpness.add(fresh);
    if (fresh.length > 0) this.deps.post({ type: 'rows', gen, rows: fresh });
    this.checkDivergence(t, gen);
    this.maybeCheckpoint(t);
    if (this.stopAt !== null && t.step >= this.stopAt) this.playing = false;
    if (t.step >= t.experiment.steps) this.playing = false;
    this.postStatus();
  }

  /** Every checkpointEvery steps, one at a time; it does not hold up the loop. */
  private maybeCheckpoint(t: Trainer): void {
    if (!t.checkpoint || this.checkpointing || t.step >= t.experiment.steps) return;
    const every = Math.max(1, this.deps.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY);
    if (t.step - (this.checkpoint?.step ?? 0) < every) return;
    this.checkpointing = true;
    t.checkpoint()
      .then(
        (ck) => {
          if (t === this.trainer && ck.step > (this.checkpoint?.step ?? -1)) this.checkpoint = ck;
        },
        () => undefined, // e.g. the device was lost meanwhile: keep the previous checkpoint
      )
      .finally(() => (this.checkpointing = false));
  }

  /** Whether a failed advance() of `t` came from its device being lost (the loss arrives within a few events). */
  private async deviceWasLost(t: Trainer): Promise<boolean> {
    if (!t.lost) return false;
    let lost = false;
    void t.lost.then(() => (lost = true));
    for (let i = 0; i < 20 && !lost; i++) await this.deps.yieldToEvents();
    if (lost) this.trainerLost(t, await t.lost);
    return lost;
  }

  private checkDivergence(t: Trainer, gen: number): void {
    const at = t.divergedAt();
    at.forEach((step, run) => {
      if (step !== null && !this.reported.has(run)) {
        this.reported.add(run);
        this.deps.post({ type: 'diverged', gen, run, ...this.sharpness.summary(run, step) });
      }
    });
    if (at.length > 0 && this.reported.size === at.length) this.playing = false;
  }
}
