/**
 * Checks the stability lines that sharpness_threshold / precond_threshold report (docs/metrics.md; the
 * Nesterov line there was recalled, not sourced) by running each optimizer's update on a 1-D quadratic
 * f = lambda theta^2 / 2: 1% below the line the iterate decays, 1% above it blows up.
 */
import { describe, expect, it } from 'vitest';

type Kind = 'gd' | 'heavy' | 'nesterov' | 'ema' | 'adam';

/** |theta| after `steps` updates from theta = 1 with zero state. */
function run(kind: Kind, lambda: number, lr: number, beta: number, steps = 4000): number {
  let theta = 1;
  let b = 0;
  // Adam starts late (t0 = 5000): its bias correction 1/(1 - beta1^t) enlarges the first steps, a
  // transient that the time-varying P_t of precond_sharpness accounts for; the line is asymptotic.
  const t0 = kind === 'adam' ? 5000 : 1;
  for (let t = t0; t < t0 + steps && Math.abs(theta) < 1e12; t++) {
    const g = lambda * theta;
    if (kind === 'gd') theta -= lr * g;
    else if (kind === 'heavy') {
      // PyTorch SGD momentum (b starts as g: the same as b = beta * 0 + g).
      b = beta * b + g;
      theta -= lr * b;
    } else if (kind === 'nesterov') {
      b = beta * b + g;
      theta -= lr * (g + beta * b);
    } else if (kind === 'ema') {
      b = beta * b + (1 - beta) * g;
      theta -= lr * b;
    } else {
      // Adam with a frozen second moment: theta -= lr * m / P_t with P_t = (1 - beta1^t) * d, d = 1:
      // lambda is the eigenvalue of P^-1 H.
      b = beta * b + (1 - beta) * g;
      theta -= (lr * b) / (1 - beta ** t);
    }
  }
  return Math.abs(theta);
}

const lines: Record<Kind, (lr: number, beta: number) => number> = {
  gd: (lr) => 2 / lr,
  heavy: (lr, beta) => (2 + 2 * beta) / lr,
  nesterov: (lr, beta) => (2 + 2 * beta) / (lr * (1 + 2 * beta)),
  ema: (lr, beta) => (2 + 2 * beta) / (lr * (1 - beta)),
  adam: (lr, beta) => (2 + 2 * beta) / (lr * (1 - beta)),
};

describe('stability thresholds on a quadratic', () => {
  for (const kind of Object.keys(lines) as Kind[]) {
    for (const [lr, beta] of [
      [0.1, 0.9],
      [0.01, 0.5],
      [1, 0.99],
    ]) {
      it(`${kind}, lr=${lr}, beta=${beta}: stable 1% below the line, unstable 1% above`, () => {
        const line = lines[kind](lr, beta);
        expect(run(kind, 0.99 * line, lr, beta, 20000)).toBeLessThan(1);
        expect(run(kind, 1.01 * line, lr, beta, 20000)).toBeGreaterThan(1e6);
      });
    }
  }

  it('Adam with beta1 = 0.9: 38 / lr', () => {
    expect(lines.adam(1e-3, 0.9)).toBeCloseTo(38000, 6);
  });
});
