/**
 * A deterministic stand-in Trainer for CLI tests: logs train_loss at every log step and lr,
 * grad_norm at log steps >= 1 (per trainer.ts semantics), and can make a run diverge.
 */
import type { Experiment } from '../schema/types';
import type { MetricRow, Trainer } from '../engine/trainer';
import { isLogStep } from '../engine/hyper';
import { paramsPerRun } from '../engine/model/shape';

export interface FakeOptions {
  /** run -> step at which its loss becomes NaN. */
  divergeAt?: Record<number, number>;
}

export class FakeTrainer implements Trainer {
  readonly backend = 'cpu' as const;
  readonly adapterDescription = 'fake trainer';
  step = 0;
  readonly advanceCalls: number[] = [];
  disposed = false;
  private readonly diverged: (number | null)[];

  constructor(
    readonly experiment: Experiment,
    private readonly opts: FakeOptions = {},
  ) {
    this.diverged = experiment.runs.map(() => null);
  }

  /** grad_norm of run r at step t: a known curve the refine tests can check. */
  static gradNorm(r: number, t: number): number {
    return 1 + r + t / 100;
  }

  async advance(n: number): Promise<MetricRow[]> {
    this.advanceCalls.push(n);
    const exp = this.experiment;
    const rows: MetricRow[] = [];
    const first = this.step === 0 ? 0 : this.step + 1;
    const last = Math.min(exp.steps, this.step + n);
    for (let s = first; s <= last; s++) {
      if (!isLogStep(s, exp.metrics.every, exp.steps)) continue;
      exp.runs.forEach((_, r) => {
        if (this.diverged[r] !== null) return;
        const bad = this.opts.divergeAt?.[r] !== undefined && s >= this.opts.divergeAt[r];
        const loss = bad ? NaN : 1 / (1 + s + r);
        if (bad) this.diverged[r] = s;
        rows.push({ run: r, step: s, metric: 'train_loss', value: loss });
        if (s >= 1) {
          rows.push({ run: r, step: s, metric: 'lr', value: 0.1 });
          rows.push({ run: r, step: s, metric: 'grad_norm', value: FakeTrainer.gradNorm(r, s) });
        }
      });
    }
    this.step = last;
    return rows;
  }

  divergedAt(): (number | null)[] {
    return this.diverged.slice();
  }

  async getParams(run: number): Promise<Float32Array> {
    const n = paramsPerRun(this.experiment);
    return Float32Array.from({ length: n }, (_, i) => run + i * 1e-3 + this.step);
  }

  dispose(): void {
    this.disposed = true;
  }
}
