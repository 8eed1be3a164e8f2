// AdEMAMix (Pagliardini et al. 2024) for a population, composed after optim_common.wgsl and the
// accessors of the hyper and scalars named in src/engine/optim/ademamix.ts. The host computes each
// step's scheduled beta3 and alpha in float64: stepSize = lr / bc1, slowStep = lr alpha_t,
// invSqrtBc2 = 1 / sqrt(bc2), decay = 1 - lr wd.
// state:   slot 0 the fast EMA m1, slot 1 v, slot 2 the slow EMA m2.

fn update(i: u32, r: u32) {
  let g = grads[i];
  let m1 = hp_beta1(r) * state[si(0u, i)] + hp_oneMinusBeta1(r) * g;
  state[si(0u, i)] = m1;
  let v = hp_beta2(r) * state[si(1u, i)] + hp_oneMinusBeta2(r) * g * g;
  state[si(1u, i)] = v;
  let m2 = sc_beta3(r) * state[si(2u, i)] + sc_oneMinusBeta3(r) * g;
  state[si(2u, i)] = m2;
  let mix = sc_stepSize(r) * m1 + sc_slowStep(r) * m2;
  param_out(i, param_in(i) * sc_decay(r) - mix / (sqrt(v) * sc_invSqrtBc2(r) + hp_eps(r)));
}
