/**
 * Stable metric names (metrics.csv, summary.json, UI). Definitions at logging step s:
 * - train_loss, train_acc: mean loss / accuracy over the training set (first metrics.evalSubset
 *   points when set) at theta_s. test_loss, test_acc: the same on the test set.
 * - weak_feature_acc (feature-noise data): accuracy on the weak-feature-only test set (= test_acc).
 * - batch_loss: the minibatch loss of step s, at theta_{s-1}.
 * - lr: the scheduled learning rate of step s.
 * - grad_norm: ||g_s||, the minibatch gradient of step s (the optimizer's input).
 * - weight_norm: ||theta_s||.  step_distance: ||theta_s - theta_{s-1}||.
 * - update_norm: step_distance / lr_s (the update per unit learning rate).
 * - relative_weight_change: ||theta_s - theta_0|| / ||theta_0|| (steps 1..; absent when theta_0 = 0).
 * - temperature: lr_s / B, the SGD noise temperature (B = the batch size, nTrain for full batch).
 * - s_randomized_acc_linear / _slab / _complex (slab data): test accuracy after permuting those
 *   coordinates across test points (metrics/eval_sets.ts).
 * - group_loss_pos / group_loss_neg (opposing-signals data): mean train loss over the points with
 *   x0 > 0 / x0 < 0.
 * - zero_loss_step (stopAtZeroLoss): the step whose train_loss was exactly 0; logged once, at it.
 * - fit_time (stopAtZeroLoss): t* = lr x zero_loss_step, the time to fit the training set in the
 *   units of Sclocchi et al. (lr the run's learning rate, its peak under a schedule); logged with it.
 * Steps 1.. only for batch_loss, lr, temperature, grad_norm, step_distance, update_norm,
 * relative_weight_change.
 * Curvature and oscillation metrics (sharpness, hessian_trace, ...): see docs/metrics.md.
 */
export const METRICS = {
  train_loss: 'Training loss',
  train_acc: 'Training accuracy',
  test_loss: 'Test loss',
  test_acc: 'Test accuracy',
  weak_feature_acc: 'Weak-feature test accuracy',
  batch_loss: 'Minibatch loss',
  lr: 'Learning rate',
  grad_norm: 'Gradient norm',
  weight_norm: 'Weight norm',
  step_distance: '‖θt − θt−1‖',
  update_norm: 'Update norm per unit lr',
  period2_distance: '‖θt − θt−2‖',
  sharpness: 'Sharpness λmax(H)',
  sharpness_2: 'Second Hessian eigenvalue λ2(H)',
  sharpness_3: 'Third Hessian eigenvalue λ3(H)',
  sharpness_4: 'Fourth Hessian eigenvalue λ4(H)',
  sharpness_5: 'Fifth Hessian eigenvalue λ5(H)',
  sharpness_threshold: 'Stability line (2/η for GD)',
  precond_sharpness: 'Preconditioned sharpness λmax(P⁻¹H)',
  precond_threshold: 'Adaptive stability line (Adam: (2+2β1)/(η(1−β1)))',
  hessian_trace: 'Hessian trace tr(H)',
  hessian_fro: 'Hessian Frobenius norm ‖H‖F',
  directional_sharpness: 'Directional sharpness vᵀHv/‖v‖²',
  grad_eig_cosine: '|cos(g, top eigenvector)|',
  weak_alignment: 'Weak-feature alignment',
  strong_alignment: 'Strong-feature alignment',
  relative_weight_change: '‖θt − θ0‖ / ‖θ0‖',
  temperature: 'SGD temperature η/B',
  s_randomized_acc_linear: 'Test accuracy, linear coordinate randomized',
  s_randomized_acc_slab: 'Test accuracy, slab coordinates randomized',
  s_randomized_acc_complex: 'Test accuracy, non-linear coordinates randomized',
  group_loss_pos: 'Train loss of the x0 > 0 group',
  group_loss_neg: 'Train loss of the x0 < 0 group',
  zero_loss_step: 'Step of zero training loss (t*/η)',
  fit_time: 'Time to fit t* = η × steps',
} as const;

export type MetricName = keyof typeof METRICS | string;

/** The metric of the (j+1)-th largest Hessian eigenvalue (metrics.sharpness.k): sharpness, sharpness_2, ... */
export function sharpnessName(j: number): string {
  return j === 0 ? 'sharpness' : `sharpness_${j + 1}`;
}

/** The rows of a run stopped at zero training loss at `step` (stopAtZeroLoss): its step and t* = lr x step. */
export function zeroLossRows(
  run: number,
  step: number,
  lr: unknown,
): { run: number; step: number; metric: string; value: number }[] {
  const rows = [{ run, step, metric: 'zero_loss_step', value: step }];
  if (typeof lr === 'number') rows.push({ run, step, metric: 'fit_time', value: lr * step });
  return rows;
}
