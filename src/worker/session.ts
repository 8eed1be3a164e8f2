/**
 * The training loop that runs inside the worker, independent of the worker globals so that it
 * can be tested with a fake trainer. All trainer work is serialised on one promise chain: a
 * new config or a reset waits for the advance() in flight, then replaces the trainer.
 */
import type { Experiment } from '../experiment/types';
import type { Trainer } from '../engine/trainer';
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
  /** Build a trainer; rejects with a reason when the backend cannot be used. */
  createTrainer(exp: Experiment, backend: 'webgpu' | 'cpu'): Promise<Trainer>;
  /** Lets queued messages in between chunks (a macrotask in the worker). */
  yieldToEvents(): Promise<void>;
  now(): number;
}

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

  constructor(private readonly deps: SessionDeps) {}

  handle(msg: ToWorker): void {
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
      case 'params': {
        const id = msg.id;
        void this.enqueue(() => this.postParams(id));
        break;
      }
    }
  }

  /**
   * The WebGPU device was lost: rebuild the current experiment on the CPU and say why.
   * Training restarts from step 0 (the GPU state is gone).
   */
  deviceLost(reason: string): void {
    this.gpuUnavailable = `the WebGPU device was lost (${reason})`;
    if (this.trainer?.backend === 'webgpu' && this.experiment) {
      const exp = this.experiment;
      const gen = this.gen;
      void this.enqueue(() => this.build(gen, exp));
    }
  }

  /** Resolves when everything queued so far has run (for tests). */
  idle(): Promise<void> {
    return this.chain;
  }

  private enqueue(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn).catch((e: unknown) => {
      this.playing = false;
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
    const start = this.deps.now();
    const before = t.step;
    const rows = await t.advance(n);
    if (t !== this.trainer) return; // replaced while advancing; its rows are stale
    const seconds = (this.deps.now() - start) / 1000;
    const done = t.step - before;
    if (seconds > 0 && done > 0) {
      const sps = done / seconds;
      this.stepsPerSecond = this.stepsPerSecond === 0 ? sps : 0.7 * this.stepsPerSecond + 0.3 * sps;
    }
    if (rows.length > 0) this.deps.post({ type: 'rows', gen, rows });
    this.checkDivergence(t, gen);
    if (this.stopAt !== null && t.step >= this.stopAt) this.playing = false;
    if (t.step >= t.experiment.steps) this.playing = false;
    this.postStatus();
  }

  /** Between advances (on the chain), so the parameters belong to one step. */
  private async postParams(id: number): Promise<void> {
    const t = this.trainer;
    const gen = this.trainerGen;
    const params = t ? await Promise.all(t.experiment.runs.map((_, r) => t.getParams(r))) : [];
    this.deps.post({ type: 'params', gen, id, step: t?.step ?? 0, params });
  }

  private checkDivergence(t: Trainer, gen: number): void {
    const at = t.divergedAt();
    at.forEach((step, run) => {
      if (step !== null && !this.reported.has(run)) {
        this.reported.add(run);
        this.deps.post({ type: 'diverged', gen, run, step });
      }
    });
    if (at.length > 0 && this.reported.size === at.length) this.playing = false;
  }
}
