/**
 * `npm run bench:eig -- [--lr 0.3] [--widths 2,16,16,2] [--every 10] [--from 2100] [--to 5000] [--points 30] [--seed 1]`:
 * how accurate the top Hessian eigenvalues are at the edge of stability, power iteration (what the
 * trainers run today) against Lanczos (src/engine/metrics/lanczos.ts).
 *
 * A tanh MLP with squared loss on the edge-of-stability preset's spiral data is trained by
 * full-batch gradient descent on the CPU backend's float64 gradient (lossAndGrad over the whole
 * training set). Every `every` steps each estimator runs once, warm-started from its own previous
 * result, as a run's sharpness would be. At `points` evenly spaced steps in [from, to] the exact
 * lambda_1, lambda_2 come from the dense Hessian (columns by central differences of the gradient, the
 * same h as the estimators' products, symmetrised, Jacobi), and each estimator's relative error is
 * recorded. Prints a markdown table of median, p90 and worst error and the mean Hessian-vector
 * products (HVPs) per call over those points, and the gap (lambda_1 - lambda_2) / lambda_1.
 * A measurement, not a test.
 */
import { generateDataset } from '../src/engine/data';
import { lossAndGrad } from '../src/engine/cpu/mlp';
import { initParams } from '../src/engine/model/init';
import { mlpLayout } from '../src/engine/model/layout';
import { denseMatrix, fdHvp, topEigen, type LinearOp } from '../src/engine/metrics/curvature_cpu';
import { lanczosTop, LANCZOS_DEFAULT_TOL } from '../src/engine/metrics/lanczos';
import { symEig, symmetrize } from '../src/engine/metrics/linalg';
import { startProbe } from '../src/engine/metrics/probes';

const args = process.argv.slice(2);
function opt(name: string, def: string): string {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : def;
}
const num = (name: string, def: number, int: boolean) => {
  const v = Number(opt(name, String(def)));
  if (!(v > 0) || (int && !Number.isInteger(v)))
    throw new Error(`${name}: expected a positive ${int ? 'integer' : 'number'}, got ${opt(name, '')}`);
  return v;
};
const lr = num('--lr', 0.3, false);
const widths = opt('--widths', '2,16,16,2').split(',').map(Number);
const every = num('--every', 10, true);
const from = num('--from', 2100, true);
const to = num('--to', 5000, true);
const points = num('--points', 30, true);
const seed = num('--seed', 1, true);
if (widths[0] !== 2 || widths.some((w) => !(w >= 1) || !Number.isInteger(w)))
  throw new Error(
    `--widths: expected comma-separated positive integers starting with 2 (the spiral's inputs), got ${opt('--widths', '')}`,
  );
if (to <= from) throw new Error(`--to (${to}) must exceed --from (${from})`);

const ds = generateDataset({ kind: 'spiral', nTrain: 100, nTest: 100, nClasses: 2, turns: 1, noise: 0.1 }, seed);
const layout = mlpLayout(widths);
const P = layout.paramCount;
const idx = Array.from({ length: ds.train.n }, (_, i) => i);
const lossGrad = (t: Float64Array) =>
  lossAndGrad(t, layout, { activation: 'tanh' }, 'mse', ds.train.x, ds.train.y, idx, ds.nClasses);
const grad = (t: Float64Array) => lossGrad(t).grad;

/** Steps where the estimates are compared with the exact eigenvalues (multiples of `every`). */
const evalSteps = new Set(
  Array.from(
    { length: points },
    (_, i) => Math.round((from + ((to - from) * i) / Math.max(1, points - 1)) / every) * every,
  ),
);

interface Estimate {
  values: number[];
  hvps: number;
}
/** One estimator: called at every sharpness step with the operator; keeps its own warm start. */
interface Method {
  name: string;
  k: number;
  run: (op: LinearOp, step: number) => Estimate;
}

function lanczosMethod(name: string, k: number, maxIters: number, tol: number, warm: boolean): Method {
  let prev: Float64Array[] | undefined;
  return {
    name,
    k,
    run: (op, step) => {
      const r = lanczosTop(op, P, {
        k,
        maxIters,
        tol,
        warm: warm ? prev : undefined,
        probe: () => startProbe(seed, step, P),
      });
      prev = r.vectors;
      return { values: Array.from(r.values), hvps: r.hvps };
    },
  };
}

function powerMethod(): Method {
  let prev: Float64Array | undefined;
  return {
    name: 'power iteration (today: warm, tol 1e-3, iters 20)',
    k: 1,
    run: (op, step) => {
      const r = topEigen(op, P, { iters: 20, tol: 1e-3, warm: prev, probe: () => startProbe(seed, step, P) });
      prev = r.vector;
      return { values: [r.value], hvps: r.iterations };
    },
  };
}

const fmtTol = (t: number) => t.toExponential(0);
const methods: Method[] = [
  powerMethod(),
  ...[3, 5, 8].map((m) => lanczosMethod(`Lanczos warm, ${m} HVPs`, 1, m, 0, true)),
  ...[1e-2, 3e-3, 1e-3, 1e-4, 1e-5].map((t) =>
    lanczosMethod(`Lanczos warm, residual tol ${fmtTol(t)}`, 1, 32, t, true),
  ),
  lanczosMethod('Lanczos cold, 20 HVPs', 1, 20, 0, false),
  ...[5, 8, 12].map((m) => lanczosMethod(`Lanczos k=2 warm, ${m} HVPs`, 2, m, 0, true)),
  lanczosMethod(`Lanczos k=2 warm, residual tol ${fmtTol(LANCZOS_DEFAULT_TOL)}`, 2, 32, LANCZOS_DEFAULT_TOL, true),
  lanczosMethod('Lanczos k=2 cold, 20 HVPs', 2, 20, 0, false),
];
const errs = methods.map(() => ({ l1: [] as number[], l2: [] as number[], hvps: [] as number[] }));
const gaps: number[] = [];
const lambda1: number[] = [];

const t0 = performance.now();
const theta = Float64Array.from(initParams(layout, { initScale: 0.5 }, seed));
for (let s = 0; s <= to; s++) {
  const { grad: g } = lossGrad(theta);
  if (s % every === 0) {
    const op = fdHvp(grad, theta);
    const est = methods.map((m) => m.run(op, s));
    if (evalSteps.has(s)) {
      const exact = symEig(symmetrize(denseMatrix(op, P), P), P).values;
      const [l1, l2] = [exact[0], exact[1]];
      gaps.push((l1 - l2) / l1);
      lambda1.push(l1);
      est.forEach((e, i) => {
        errs[i].l1.push(Math.abs(e.values[0] - l1) / Math.abs(l1));
        if (methods[i].k >= 2) errs[i].l2.push(Math.abs(e.values[1] - l2) / Math.abs(l2));
        errs[i].hvps.push(e.hvps);
      });
    }
  }
  for (let i = 0; i < P; i++) theta[i] -= lr * g[i];
}
const seconds = (performance.now() - t0) / 1000;

const sorted = (a: number[]) => a.slice().sort((x, y) => x - y);
const quantile = (a: number[], q: number) => sorted(a)[Math.min(a.length - 1, Math.ceil(q * a.length) - 1)];
const median = (a: number[]) => {
  const s = sorted(a);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
};
const e = (x: number) => (x === 0 ? '0' : x.toExponential(1));
const stats = (a: number[]) =>
  a.length ? `${e(median(a))} | ${e(quantile(a, 0.9))} | ${e(Math.max(...a))}` : '– | – | –';

console.log(
  `seed ${seed}, tanh MLP ${widths.join('→')} (${P} parameters), spiral (100 points), mse, full-batch GD lr ${lr} (2/lr = ${(2 / lr).toFixed(3)}); ` +
    `estimates every ${every} steps (each warm-started from its own last one), compared at ${gaps.length} steps in [${from}, ${to}]; ${seconds.toFixed(0)} s\n`,
);
console.log(
  `λ1: median ${median(lambda1).toFixed(3)}, range ${Math.min(...lambda1).toFixed(3)}–${Math.max(...lambda1).toFixed(3)}; ` +
    `gap (λ1−λ2)/λ1: median ${e(median(gaps))}, min ${e(Math.min(...gaps))}, max ${e(Math.max(...gaps))}\n`,
);
console.log('| method | mean HVPs | λ1 median | λ1 p90 | λ1 worst | λ2 median | λ2 p90 | λ2 worst |');
console.log('| --- | --: | --: | --: | --: | --: | --: | --: |');
methods.forEach((m, i) => {
  const h = errs[i].hvps.reduce((a, b) => a + b, 0) / errs[i].hvps.length;
  console.log(`| ${m.name} | ${h.toFixed(1)} | ${stats(errs[i].l1)} | ${stats(errs[i].l2)} |`);
});
