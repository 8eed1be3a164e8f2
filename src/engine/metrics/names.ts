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
 * Steps 1.. only for batch_loss, lr, grad_norm, step_distance, update_norm.
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
  sharpness_threshold: 'Stability line (2/η for GD)',
  precond_sharpness: 'Preconditioned sharpness λmax(P⁻¹H)',
  precond_threshold: 'Adaptive stability line (2+2β1)/(η(1−β1))',
  hessian_trace: 'Hessian trace tr(H)',
  hessian_fro: 'Hessian Frobenius norm ‖H‖F',
  directional_sharpness: 'Directional sharpness vᵀHv/‖v‖²',
  grad_eig_cosine: '|cos(g, top eigenvector)|',
  weak_alignment: 'Weak-feature alignment',
  strong_alignment: 'Strong-feature alignment',
} as const;

export type MetricName = keyof typeof METRICS | string;
