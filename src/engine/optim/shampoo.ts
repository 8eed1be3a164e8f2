/**
 * Shampoo (Gupta, Koren and Singer 2018) in the form of Distributed Shampoo (Shi et al. 2023,
 * facebookresearch/optimizers distributed_shampoo/): per weight matrix G, Kronecker factors
 * L += G G^T and R += G^T G (or their EMAs), inverse fourth roots refreshed every
 * preconditionFrequency steps, and the step Linv m_hat Rinv with the per-layer norm of the grafting
 * method (Adam or AdaGrad); biases and other 1-D tensors take the grafting method's step.
 * CPU: shampoo_cpu.ts (float64, eigendecomposition); GPU: shampoo_gpu.ts (coupled Newton iteration).
 */
import { epsSpec, flagSpec, lrSpec, wdSpec } from './common';
import { namedSlots } from './slots';
import { shampooCpuInit, shampooCpuStep, shampooRunValues, shampooStepValues } from './shampoo_cpu';
import { createShampooGpu, NEWTON_MAX_ITERATIONS, NEWTON_TOLERANCE, shampooGpuBuffers } from './shampoo_gpu';
import type { HyperSpec, OptimizerDef } from './types';

const HYPERPARAMS: HyperSpec[] = [
  lrSpec(1e-2),
  {
    key: 'beta1',
    type: 'number',
    default: 0.9,
    min: 0,
    max: 1,
    maxExclusive: true,
    description:
      'EMA of the gradient that is preconditioned (the filtered gradient); 0 preconditions the raw gradient.',
  },
  {
    key: 'beta2',
    type: 'number',
    default: 1,
    min: 0,
    max: 1,
    description: 'Factor decay: L <- beta2 L + (1 - beta2) G G^T; 1 sums the outer products (AdaGrad-like).',
  },
  {
    ...epsSpec(1e-4, 'Ridge of the inverse roots, relative: (L + epsilon ||L||_F I)^(-1/4).'),
    key: 'epsilon',
    min: 1e-5,
    max: 0.1,
  },
  wdSpec(0, 'Decoupled weight decay: theta <- theta (1 - lr wd) besides the step.'),
  {
    key: 'preconditionFrequency',
    type: 'number',
    default: 10,
    min: 1,
    integer: true,
    description: 'Steps between recomputations of the inverse roots.',
  },
  {
    key: 'startPreconditioningStep',
    type: 'number',
    default: -1,
    min: -1,
    integer: true,
    description:
      'First step that uses the Shampoo direction (before it, the grafting step); -1: preconditionFrequency.',
  },
  flagSpec('useBiasCorrection', true, 'Divide the filtered gradient by 1 - beta1^t and the factors by 1 - beta2^t.'),
  flagSpec(
    'adagradGrafting',
    false,
    'Graft from AdaGrad (v += g^2) instead of Adam (v EMA with graftingBeta2, bias-corrected).',
  ),
  {
    key: 'graftingBeta2',
    type: 'number',
    default: 0.999,
    min: 0,
    max: 1,
    maxExclusive: true,
    description: "Adam grafting's second-moment decay.",
  },
  { ...epsSpec(1e-10, 'Added to sqrt(v_hat) in the grafting direction.'), key: 'graftingEpsilon', minExclusive: true },
];

export const shampoo: OptimizerDef = {
  name: 'shampoo',
  description:
    'Shampoo: each weight matrix preconditioned on both sides by inverse fourth roots of its gradient outer-product factors, with the step size of a grafted Adam (or AdaGrad).',
  rule: 'L += w G G^T, R += w G^T G (w = 1 - beta2, or 1 when beta2 = 1); every f steps Linv = (L/bc2 + eps |L|_F I)^(-1/4), Rinv likewise; m = b1 m + (1-b1) g; S = Linv (m/bc1) Rinv; D = grafting step; theta <- theta (1 - lr wd) - lr (|D|_F / |S|_F) S (biases: - lr D)',
  source:
    'Gupta, Koren, Singer, "Shampoo: Preconditioned Stochastic Tensor Optimization", ICML 2018; Shi et al., "A Distributed Data-Parallel PyTorch Implementation of the Distributed Shampoo Optimizer", arXiv 2309.06497; facebookresearch/optimizers distributed_shampoo/distributed_shampoo.py, preconditioner/shampoo_preconditioner_list.py, preconditioner/adagrad_preconditioner_list.py, preconditioner/matrix_functions.py',
  notes: [
    'Shampoo rather than SOAP: SOAP runs Adam in the eigenbasis of these same factors, so it needs their eigenvectors on the GPU (an eigensolver per factor and a rotated copy of m and v), ' +
      'while Shampoo needs only inverse roots, which the coupled Newton iteration gives with matrix products alone; and Distributed Shampoo is the form that led the AlgoPerf external-tuning leaderboard.',
    'Inverse roots: the CPU (float64) takes them by eigendecomposition (Jacobi), the reference default, with its shift of an eigenvalue left below the ridge; the GPU (float32) by the coupled Newton iteration, the reference alternative (matrix-only work that runs inside one workgroup per factor), ' +
      `from X = z^(1/4) I, M = z A with z = 5/(2 |A|_F), until max |M - I| <= ${NEWTON_TOLERANCE.toExponential()} or ${NEWTON_MAX_ITERATIONS} iterations. ` +
      'GPU: two dispatches per step for the whole population (factors and, on refresh steps, their roots; then the update), whatever the number of layers.',
    'epsilon is relative, a ridge of epsilon |A|_F (A the bias-corrected factor), where the reference adds an absolute epsilon (default 1e-12). ' +
      'Factors kept in float32 carry rounding of about 1e-7 |A| in their null space (a layer with 2 inputs has a rank-2 L), so the root there, the largest part of it, ' +
      'is known only to about 1e-7 / epsilon; it matters once a stale root meets a gradient outside the factor range (preconditionFrequency > 1). ' +
      'Measured GPU against CPU over 20 steps of a 13-70-1 MLP (frequencies 5 and 2): max relative parameter difference 2.6e-4 at epsilon 1e-6, 3.8e-5 at 1e-5, 3.5e-6 at 1e-4 (the default), 4.4e-7 at 1e-3. A factor still zero keeps its previous root.',
    'Grafting defaults to Adam (as the reference README Adam example configures it: AdamPreconditionerConfig, beta2 0.999); the reference default is no grafting. Biases and other 1-D tensors take the grafting step alone, where the reference preconditions them with one factor (root 1/2). The grafting norm is per tensor (the reference grafts per block; without blocking, per tensor).',
    'Left out: blocking of large dimensions (max_preconditioner_dim; a side longer than 256, as a wide convolution may have, stays unpreconditioned here), beta3 (taken equal to beta1), the other weight-decay types (L2, corrected, independent), iterate averaging / momentum configs, inverse-exponent overrides, eigenvalue-corrected and KL variants, and the check that startPreconditioningStep >= preconditionFrequency (a smaller value is accepted: the roots are then also refreshed at that step).',
    'The reference defaults preconditionFrequency to 1; here 10: a refresh costs 4 n^3 multiply-adds per Newton iteration per factor (n x n), and the iteration needs more iterations the smaller epsilon is.',
  ],
  hyperparams: HYPERPARAMS,
  stateSlots: 2,
  ...namedSlots('shampoo', {
    // oneMinusBeta1, factorWeight, graftWeight: formed in float64 (shampooRunValues).
    hyper: ['beta1', 'oneMinusBeta1', 'beta2', 'factorWeight', 'graftBeta2', 'graftWeight', 'graftEps', 'epsilon'],
    // invBc1 = 1/(1 - beta1^t); graftScale = 1/bc2 of the grafting; factorScale = 1/(1 - beta2^t);
    // refresh, shampoo: 1 on a root-refresh step / from startPreconditioningStep on.
    scalars: ['lr', 'decay', 'invBc1', 'graftScale', 'factorScale', 'refresh', 'shampoo'],
    packHyper: shampooRunValues,
    stepScalars: shampooStepValues,
  }),
  gpuBuffers: (tensors, runs) => shampooGpuBuffers(tensors, runs),
  createGpu: (ctx) => createShampooGpu(ctx, shampoo),
  cpuInit: (paramCount, tensors) => shampooCpuInit(paramCount, tensors),
  cpuStep: shampooCpuStep,
};
