/**
 * Which metrics share a chart. Charts are derived from this table and from the metrics that
 * actually arrive: a metric the table does not know gets a chart of its own automatically, so
 * new engine metrics show up without touching any component.
 */
import { METRICS } from '../engine/metrics/names';

export interface GroupMetric {
  name: string;
  /** SVG dash pattern; solid when absent. */
  dash?: string;
}

export interface MetricGroup {
  id: string;
  title: string;
  metrics: GroupMetric[];
  /** Log scale by default. */
  log?: boolean;
  /** One line shown under the title. */
  note?: string;
  /** Values can only lie in this range (accuracies: [0, 1]); the y axis stays inside it. */
  bounds?: [number, number];
}

/** The y axis's title for a chart (what is measured, with its unit where it has one). */
const Y_TITLES: Record<string, string> = {
  loss: 'loss',
  accuracy: 'accuracy (fraction)',
  weak: 'accuracy (fraction)',
  sharpness: 'λmax(H)',
  precond: 'λmax(P⁻¹H)',
  trace: 'tr(H), ‖H‖F',
  eigcos: '|cos|',
  directional: 'vᵀHv / ‖v‖²',
  lr: 'learning rate η',
  grad: '‖∇L‖',
  weight: '‖θ‖',
  distance: 'distance in weights',
  update: '‖Δθ‖ / η',
  alignment: 'alignment',
  srandomized: 'accuracy (fraction)',
  groups: 'loss',
  lazy: '‖w − w₀‖ / ‖w₀‖',
  temperature: 'η / B',
  'fit-time': 'η × steps',
  'zero-loss': 'step',
};

export function axisTitle(group: MetricGroup): string {
  return Y_TITLES[group.id] ?? group.title;
}

const DASH = '6 4';
const DOT = '2 3';
/** λ2 .. λ5 (metrics.sharpness.k): a dash of its own for each, unlike the stability line's. */
const EIG_DASHES = ['3 3', '8 3 2 3', '1 3', '10 2'];

export const METRIC_GROUPS: readonly MetricGroup[] = [
  {
    id: 'loss',
    title: 'Loss',
    metrics: [{ name: 'train_loss' }, { name: 'test_loss', dash: DASH }, { name: 'batch_loss', dash: DOT }],
    log: true,
  },
  {
    id: 'accuracy',
    title: 'Accuracy',
    metrics: [{ name: 'train_acc' }, { name: 'test_acc', dash: DASH }],
    bounds: [0, 1],
  },
  {
    id: 'weak',
    title: 'Weak-feature test accuracy',
    metrics: [{ name: 'weak_feature_acc' }],
    bounds: [0, 1],
    note: 'Test points carry only the weak feature (a reconstruction of Lu et al. 2024).',
  },
  {
    id: 'sharpness',
    title: 'Sharpness',
    metrics: [
      { name: 'sharpness' },
      ...EIG_DASHES.map((dash, j) => ({ name: `sharpness_${j + 2}`, dash })),
      { name: 'sharpness_threshold', dash: DASH },
    ],
    log: true,
    note: 'Top Hessian eigenvalue (with metrics.sharpness.k > 1, the next ones in finer dashes); long dashes: the stability line (2/lr for GD).',
  },
  {
    id: 'precond',
    title: 'Preconditioned sharpness',
    metrics: [{ name: 'precond_sharpness' }, { name: 'precond_threshold', dash: DASH }],
    log: true,
    note: "Top eigenvalue of P⁻¹H; dashed: the optimizer's stability line (Adam: (2+2β₁)/(lr(1−β₁))).",
  },
  {
    id: 'trace',
    title: 'Hessian trace and Frobenius norm',
    metrics: [
      { name: 'hessian_trace' },
      { name: 'hessian_fro', dash: DASH },
      { name: 'sharpness_threshold', dash: DOT },
    ],
    log: true,
    note: 'Linearly stable SGD minima have tr(H) ≤ 2/lr (Wu & Su): dotted, each run’s stability line.',
  },
  {
    id: 'eigcos',
    title: 'Gradient vs top eigenvector',
    metrics: [{ name: 'grad_eig_cosine' }],
    bounds: [0, 1],
    note: '|cos| between the gradient and the top Hessian eigenvector.',
  },
  {
    id: 'directional',
    title: 'Directional sharpness',
    metrics: [{ name: 'directional_sharpness' }],
    note: 'vᵀHv/‖v‖² along the update.',
  },
  { id: 'lr', title: 'Learning rate', metrics: [{ name: 'lr' }], log: true },
  { id: 'grad', title: 'Gradient norm', metrics: [{ name: 'grad_norm' }], log: true },
  { id: 'weight', title: 'Weight norm', metrics: [{ name: 'weight_norm' }] },
  {
    id: 'distance',
    title: 'Step distance',
    metrics: [{ name: 'step_distance' }, { name: 'period2_distance', dash: DASH }],
    log: true,
    note: 'Solid: ‖θt − θt−1‖; dashed: ‖θt − θt−2‖ (small when the iterate flips back and forth).',
  },
  { id: 'update', title: 'Update norm per unit lr', metrics: [{ name: 'update_norm' }], log: true },
  {
    id: 'alignment',
    title: 'Feature alignment',
    metrics: [{ name: 'weak_alignment' }, { name: 'strong_alignment', dash: DASH }],
    note: 'Solid: weak feature; dashed: strong feature.',
  },
  {
    id: 'srandomized',
    title: 'S-randomized test accuracy',
    metrics: [
      { name: 's_randomized_acc_linear' },
      { name: 's_randomized_acc_slab', dash: DASH },
      { name: 's_randomized_acc_complex', dash: DOT },
    ],
    bounds: [0, 1],
    note: 'Test accuracy with the linear / slab / all complex coordinates permuted across points (Shah et al.): ≈ 50% means the model relies on them.',
  },
  {
    id: 'groups',
    title: 'Opposing-signal group losses',
    metrics: [{ name: 'group_loss_pos' }, { name: 'group_loss_neg', dash: DASH }],
    log: true,
    note: 'Train loss of the outliers with x0 > 0 (solid) and x0 < 0 (dashed): anti-phase oscillation (a reconstruction of Rosenfeld & Risteski).',
  },
  {
    id: 'lazy',
    title: 'Relative weight change',
    metrics: [{ name: 'relative_weight_change' }],
    log: true,
    note: '‖w − w0‖/‖w0‖: small in the lazy (kernel) regime, large when features are learned.',
  },
  { id: 'temperature', title: 'SGD temperature η/B', metrics: [{ name: 'temperature' }], log: true },
  {
    id: 'fit-time',
    title: 'Time to fit t* = η × steps',
    metrics: [{ name: 'fit_time' }],
    log: true,
    note: 'Logged once per run, at the step its training loss reached exactly 0 (Sclocchi et al. measure time in η × steps).',
  },
  { id: 'zero-loss', title: 'Step of zero training loss', metrics: [{ name: 'zero_loss_step' }] },
];

const EXTRA_LABELS: Record<string, string> = {
  sharpness: 'Sharpness λmax(H)',
  sharpness_2: 'λ2(H)',
  sharpness_3: 'λ3(H)',
  sharpness_4: 'λ4(H)',
  sharpness_5: 'λ5(H)',
  sharpness_threshold: 'Stability line',
  precond_sharpness: 'Preconditioned sharpness',
  precond_threshold: 'Preconditioned stability line',
  hessian_trace: 'Hessian trace',
  hessian_fro: 'Hessian Frobenius norm',
  directional_sharpness: 'Directional sharpness',
  weak_alignment: 'Weak-feature alignment',
  strong_alignment: 'Strong-feature alignment',
  period2_distance: '‖θt − θt−2‖',
  grad_eig_cosine: 'cos(gradient, top eigenvector)',
};

/** A human label for a metric name. */
export function metricLabel(name: string): string {
  return (METRICS as Record<string, string>)[name] ?? EXTRA_LABELS[name] ?? name.replace(/_/g, ' ');
}

/** The charts to draw for the metrics present, in table order, then one chart per unknown metric. */
export function chartGroups(present: readonly string[]): MetricGroup[] {
  const have = new Set(present);
  const known = new Set<string>();
  const out: MetricGroup[] = [];
  for (const g of METRIC_GROUPS) {
    for (const m of g.metrics) known.add(m.name);
    const metrics = g.metrics.filter((m) => have.has(m.name));
    if (metrics.length > 0) out.push({ ...g, metrics });
  }
  for (const name of present) {
    if (!known.has(name)) out.push({ id: `metric:${name}`, title: metricLabel(name), metrics: [{ name }] });
  }
  return out;
}

/**
 * The charts that mean something for this experiment: on full-batch training the minibatch
 * loss is the training loss one step late, and the SGD noise temperature η/B has no noise to
 * describe; the temperature is also only SGD's notion (no run uses plain SGD: no chart).
 */
export function relevantGroups(
  groups: readonly MetricGroup[],
  exp: { batchSize: number | 'full'; data: { nTrain: number }; runs: readonly { optimizer: { name: string } }[] },
): MetricGroup[] {
  const fullBatch = exp.batchSize === 'full' || exp.batchSize >= exp.data.nTrain;
  const sgd = exp.runs.some((r) => r.optimizer.name === 'sgd');
  const out: MetricGroup[] = [];
  for (const g of groups) {
    if (g.id === 'temperature' && (fullBatch || !sgd)) continue;
    const metrics = fullBatch ? g.metrics.filter((m) => m.name !== 'batch_loss') : g.metrics;
    if (metrics.length === 0) continue;
    out.push(metrics.length === g.metrics.length ? g : { ...g, metrics });
  }
  return out;
}
