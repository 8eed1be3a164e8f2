/**
 * Muon (Keller Jordan 2024; KellerJordan/Muon muon.py): momentum SGD whose update of each weight
 * matrix is replaced by an approximately orthogonal matrix from five Newton–Schulz iterations, with
 * an auxiliary AdamW for the biases (and, by default, the first and last weight matrices) as the
 * reference's MuonWithAuxAdam. The float64 step is here; the GPU chain is in muon_gpu.ts.
 */
import type { TensorInfo } from '../model/layout';
import { betasSpec, epsSpec, flagSpec, lrSpec, momentumSpec, wdSpec } from './common';
import { flag, num, pair } from './hp';
import { createMuonGpu, muonGpuBuffers } from './muon_gpu';
import { muonMatrices, newtonSchulz, usesMuon } from './muon_plan';
import { namedSlots } from './slots';
import type { CpuStepArgs, Hyper, HyperSpec, OptimizerDef } from './types';

const HYPERPARAMS: HyperSpec[] = [
  {
    ...lrSpec(0.02),
    description:
      'Peak learning rate of the Muon matrices, in units of spectral norm per update (the schedule multiplies it).',
  },
  momentumSpec(0.95, 'Momentum of the Muon matrices: m <- momentum m + (1 - momentum) g.'),
  flagSpec('nesterov', true, 'Orthogonalise the Nesterov look-ahead (1 - momentum) g + momentum m instead of m.'),
  {
    key: 'nsSteps',
    type: 'number',
    default: 5,
    min: 0,
    max: 10,
    integer: true,
    description: 'Newton-Schulz iterations per step (0: only the Frobenius normalisation).',
  },
  wdSpec(0, 'Decoupled weight decay of the Muon matrices: theta <- theta (1 - lr wd) before the step.'),
  flagSpec(
    'adamFirstLast',
    true,
    'The first and last weight matrices go through AdamW, as the reference advises for the input and output layers; false: every weight matrix uses Muon.',
  ),
  {
    ...lrSpec(3e-4),
    key: 'adamLr',
    description:
      'Peak learning rate of the AdamW tensors (biases, and the first and last matrices with adamFirstLast); the schedule multiplies it like lr.',
  },
  { ...betasSpec([0.9, 0.95], 'Decay rates of the AdamW moments.'), key: 'adamBetas' },
  { ...epsSpec(1e-10, 'Added to sqrt(v_hat) in the AdamW denominator.'), key: 'adamEps' },
  {
    ...wdSpec(0, 'Decoupled weight decay of the AdamW tensors: theta <- theta (1 - adamLr wd).'),
    key: 'adamWeightDecay',
  },
];

/** The AdamW rate of a step: adamLr under the same schedule as lr (scheduled lr / peak lr). */
function adamRate(hp: Hyper, lr: number): number {
  return (num(hp, 'adamLr') * lr) / num(hp, 'lr');
}

const SLOTS = namedSlots('muon', {
  // oneMinusMomentum, oneMinusBeta1/2: 1 - beta in float64; nesterov, adamFirstLast: 0 or 1.
  hyper: [
    'momentum',
    'oneMinusMomentum',
    'nesterov',
    'nsSteps',
    'adamFirstLast',
    'beta1',
    'oneMinusBeta1',
    'beta2',
    'oneMinusBeta2',
    'eps',
  ],
  // decay = 1 - lr wd; adamDecay = 1 - adamLr' adamWd, adamStepSize = adamLr' / bc1 and
  // adamInvSqrtBc2 = 1 / sqrt(bc2) with adamLr' the scheduled AdamW rate.
  scalars: ['lr', 'decay', 'adamDecay', 'adamStepSize', 'adamInvSqrtBc2'],
  packHyper: (hp) => {
    const mu = num(hp, 'momentum');
    const [b1, b2] = pair(hp, 'adamBetas');
    return {
      momentum: mu,
      oneMinusMomentum: 1 - mu,
      nesterov: flag(hp, 'nesterov') ? 1 : 0,
      nsSteps: num(hp, 'nsSteps'),
      adamFirstLast: flag(hp, 'adamFirstLast') ? 1 : 0,
      beta1: b1,
      oneMinusBeta1: 1 - b1,
      beta2: b2,
      oneMinusBeta2: 1 - b2,
      eps: num(hp, 'adamEps'),
    };
  },
  stepScalars: (hp, t, lr) => {
    const [b1, b2] = pair(hp, 'adamBetas');
    const alr = adamRate(hp, lr);
    return {
      lr,
      decay: 1 - lr * num(hp, 'weightDecay'),
      adamDecay: 1 - alr * num(hp, 'adamWeightDecay'),
      adamStepSize: alr / (1 - b1 ** t),
      adamInvSqrtBc2: 1 / Math.sqrt(1 - b2 ** t),
    };
  },
});

/** AdamW on coordinates [from, to) (state slots 0 = m, 1 = v), in the kernel's form. */
function adamRange(a: CpuStepArgs, from: number, to: number): void {
  const { params: p, grad: g, hp, t, lr } = a;
  const [m, v] = a.state.slots;
  const [b1, b2] = pair(hp, 'adamBetas');
  const eps = num(hp, 'adamEps');
  const alr = adamRate(hp, lr);
  const decay = 1 - alr * num(hp, 'adamWeightDecay');
  const stepSize = alr / (1 - b1 ** t);
  const invSqrtBc2 = 1 / Math.sqrt(1 - b2 ** t);
  for (let i = from; i < to; i++) {
    m[i] = b1 * m[i] + (1 - b1) * g[i];
    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    p[i] = p[i] * decay - (stepSize * m[i]) / (Math.sqrt(v[i]) * invSqrtBc2 + eps);
  }
}

function cpuStep(a: CpuStepArgs): void {
  const { params: p, grad: g, hp, lr } = a;
  const mom = a.state.slots[0];
  const mu = num(hp, 'momentum');
  const nesterov = flag(hp, 'nesterov');
  const steps = num(hp, 'nsSteps');
  const decay = 1 - lr * num(hp, 'weightDecay');
  const byTensor = new Map(muonMatrices(a.tensors).map((m) => [m.tensor, m]));
  a.tensors.forEach((tn: TensorInfo, k) => {
    const mat = byTensor.get(k);
    if (!mat || !usesMuon(mat, flag(hp, 'adamFirstLast'))) return adamRange(a, tn.offset, tn.offset + tn.size);
    const u = new Float64Array(tn.size);
    for (let q = 0; q < tn.size; q++) {
      const i = tn.offset + q;
      mom[i] = mu * mom[i] + (1 - mu) * g[i];
      u[q] = nesterov ? mu * mom[i] + (1 - mu) * g[i] : mom[i];
    }
    const o = newtonSchulz(u, mat.rows, mat.cols, steps);
    for (let q = 0; q < tn.size; q++) {
      const i = tn.offset + q;
      p[i] = p[i] * decay - lr * (mat.scale * o[q]);
    }
  });
}

export const muon: OptimizerDef = {
  name: 'muon',
  description:
    'Muon: the momentum of each weight matrix, orthogonalised by Newton-Schulz; AdamW for biases and (by default) the first and last layers.',
  rule: 'matrices: m = mu m + (1-mu) g; u = (1-mu) g + mu m (nesterov) or m; X = NS5(u / (||u||_F + 1e-7)); theta <- theta (1 - lr wd) - lr sqrt(max(1, rows/cols)) X; other tensors: AdamW(adamLr, adamBetas, adamEps, adamWeightDecay)',
  source:
    'Jordan et al., "Muon: An optimizer for hidden layers in neural networks", 2024 (kellerjordan.github.io/posts/muon); KellerJordan/Muon muon.py (muon_update, zeropower_via_newtonschulz5, SingleDeviceMuonWithAuxAdam)',
  notes: [
    'The reference runs the Newton-Schulz iteration in bfloat16; here it runs in float32 on the GPU and float64 on the CPU, so both are closer to the exact quintic map than the reference.',
    "adamFirstLast (default true) sends the first and last weight matrices to the auxiliary AdamW, following the reference's advice that Muon is for hidden layers and the input and output layers belong to AdamW. A network with one hidden layer then has no Muon matrix at all: set adamFirstLast to false to orthogonalise every weight matrix.",
    'A conv filter [out, in, kh, kw] is the matrix [out, in kh kw] and its scale is sqrt(max(1, out / (in kh kw))); the reference computes the scale of a 4-D filter from its last two sizes (sqrt(max(1, kh / kw))), which differs only when out > in kh kw.',
    "The AdamW tensors follow the schedule of lr: their rate is adamLr x (scheduled lr / lr). Its defaults (adamLr 3e-4, betas [0.9, 0.95], eps 1e-10, no decay) are those of the reference's MuonWithAuxAdam.",
  ],
  hyperparams: HYPERPARAMS,
  stateSlots: 2,
  ...SLOTS,
  gpuBuffers: muonGpuBuffers,
  createGpu: (ctx) => createMuonGpu(muon, ctx),
  cpuInit: (paramCount) => ({ slots: [0, 1].map(() => new Float64Array(paramCount)), extra: {} }),
  cpuStep,
};
