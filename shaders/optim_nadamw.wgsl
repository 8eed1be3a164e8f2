// NAdamW (AlgoPerf's baseline) for a population, composed after optim_common.wgsl and the accessors
// of the hyper and scalars named in src/engine/optim/nadamw.ts (stepSize = lr / bc1,
// invSqrtBc2 = 1 / sqrt(bc2), decay = 1 - lr wd). Adam's moments, but the step takes the Nesterov
// look-ahead b1 m_t + (1 - b1) g_t in place of m_t.
// state:   slot 0 m, slot 1 v.

fn update(i: u32, r: u32) {
  let b1 = hp_beta1(r);
  let c1 = hp_oneMinusBeta1(r);
  let g = grads[i];
  let m = b1 * state[si(0u, i)] + c1 * g;
  state[si(0u, i)] = m;
  let v = hp_beta2(r) * state[si(1u, i)] + hp_oneMinusBeta2(r) * g * g;
  state[si(1u, i)] = v;
  let ahead = b1 * m + c1 * g;
  param_out(i, param_in(i) * sc_decay(r) - sc_stepSize(r) * ahead / (sqrt(v) * sc_invSqrtBc2(r) + hp_eps(r)));
}
