/**
 * Experiments with curvature metrics for export_torch.test.ts: the edge-of-stability preset shortened (full
 * batch GD at the edge, sharpness every 10 steps) and a minibatch one (sharpness over a subset of
 * the training set, tol and iters set, and the Hessian trace; SGD with momentum, and Adam and AdamW with
 * precond_sharpness), and one run of every optimizer with a preconditioner (its precond_sharpness
 * read from the script's optimizer state).
 */
import { parseExperiment } from '../experiment/validate';
import { presetById } from '../experiment/presets';
import type { Experiment } from '../schema/types';

/**
 * Points (2, 0, 0), (0, 1, 0) and (0, 0, 1), four of each, target 0: a linear model without bias
 * under mse has the exactly diagonal Hessian diag(4, 1, 1) / 3 on its three weights. From any start
 * vector the Krylov space is invariant after two products (two distinct eigenvalues), so the top
 * three need a fresh direction, every estimate; the repeated eigenvalue is below the top one, so
 * the top Ritz vector (grad_eig_cosine, the warm start) is unambiguous.
 */
const DIAGONAL_CSV = [
  'a,b,c,y',
  ...['2,0,0,0', '0,1,0,0', '0,0,1,0'].flatMap((row) => Array<string>(4).fill(row)),
].join('\n');

const RAW: Record<string, Record<string, unknown>> = {
  'sharpness_3 after an invariant subspace: a linear model whose Hessian is diag(4, 1, 1) / 3, k = 3': {
    version: 1,
    seed: 4,
    data: { kind: 'csv', nTrain: 12, nTest: 0, text: DIAGONAL_CSV, labelColumn: 'y', task: 'regression' },
    model: { kind: 'mlp', hidden: [], activation: 'linear', initScale: 0.01, bias: false },
    loss: 'mse',
    steps: 20,
    batchSize: 'full',
    metrics: { every: 5, evalSubset: 0, sharpness: { every: 5, iters: 8, k: 3 } },
    runs: [{ label: 'gd', optimizer: { name: 'sgd', lr: 0.1 }, schedule: { name: 'constant' } }],
  },
  'sharpness and trace: gauss, batch 16, subset 48, tol 1e-4': {
    version: 1,
    seed: 13,
    data: { kind: 'gauss', nTrain: 80, nTest: 20, nClasses: 3 },
    model: { kind: 'mlp', hidden: [10, 6], activation: 'tanh', initScale: 1, bias: true },
    loss: 'cross-entropy',
    steps: 40,
    batchSize: 16,
    metrics: {
      every: 2,
      evalSubset: 0,
      sharpness: { every: 6, iters: 24, tol: 1e-4, subset: 48 },
      trace: { every: 4, samples: 3 },
    },
    runs: [
      { label: 'sgd momentum', optimizer: { name: 'sgd', lr: 0.1, momentum: 0.9 }, schedule: { name: 'constant' } },
      { label: 'adam', optimizer: { name: 'adam', lr: 0.01 }, schedule: { name: 'cosine' } },
      {
        label: 'adamw amsgrad',
        optimizer: { name: 'adamw', lr: 0.01, weightDecay: 0.01, amsgrad: true },
        schedule: { name: 'constant' },
      },
      {
        label: 'adabelief',
        optimizer: { name: 'adabelief', lr: 0.01 },
        schedule: { name: 'constant' },
      },
    ],
  },
  'precond_sharpness of every optimizer with a preconditioner, top 3 eigenvalues: gauss, batch 16': {
    version: 1,
    seed: 13,
    data: { kind: 'gauss', nTrain: 80, nTest: 20, nClasses: 3 },
    model: { kind: 'mlp', hidden: [10, 6], activation: 'tanh', initScale: 1, bias: true },
    loss: 'cross-entropy',
    steps: 24,
    batchSize: 16,
    metrics: { every: 4, evalSubset: 0, sharpness: { every: 8, iters: 24, tol: 1e-4, subset: 48, k: 3 } },
    runs: (
      [
        ['adam', { name: 'adam', lr: 0.01 }],
        ['adamw', { name: 'adamw', lr: 0.01, weightDecay: 0.01 }],
        ['sam-adam', { name: 'sam-adam', lr: 0.01 }],
        ['sam-adam amsgrad', { name: 'sam-adam', lr: 0.01, amsgrad: true }],
        ['adabelief amsgrad', { name: 'adabelief', lr: 0.01, amsgrad: true }],
        ['adabelief rectify', { name: 'adabelief', lr: 0.01, rectify: true }],
        ['adamp', { name: 'adamp', lr: 0.01 }],
        ['ademamix', { name: 'ademamix', lr: 0.01 }],
        ['nadamw', { name: 'nadamw', lr: 0.01 }],
        ['diffgrad', { name: 'diffgrad', lr: 0.01 }],
        ['clipped-adam', { name: 'clipped-adam', lr: 0.01 }],
        ['sf-adamw', { name: 'sf-adamw', lr: 0.01 }],
      ] as const
    ).map(([label, optimizer]) => ({ label, optimizer, schedule: { name: 'constant' } })),
  },
};

/** The preset at 60 steps, then each case of RAW, validated. */
export function sharpnessExportCases(): { name: string; exp: Experiment }[] {
  const eos = presetById('edge-of-stability');
  if (!eos) throw new Error('preset edge-of-stability is missing');
  const raw = Object.entries(RAW).map(([name, r]) => {
    const res = parseExperiment(r);
    if (!res.ok) throw new Error(`${name}: ${res.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    return { name, exp: res.value };
  });
  return [{ name: 'preset edge-of-stability, 60 steps', exp: { ...eos.experiment, steps: 60 } }, ...raw];
}
