// diffGrad v2 (shivram1987/diffGrad, diffGrad_v2.py) for a population (after optim_common.wgsl and
// the accessors of the hyper and scalars named in src/engine/optim/diffgrad.ts; stepSize = lr sqrt(bc2) / bc1).
// state:   slot 0 m, slot 1 v, slot 2 previous gradient (0 before step 1).

fn update(i: u32, r: u32) {
  let b1 = hp_beta1(r);
  let b2 = hp_beta2(r);
  let p = param_in(i);
  let g = grads[i] + hp_weightDecay(r) * p;
  let m = b1 * state[si(0u, i)] + hp_oneMinusBeta1(r) * g;
  let v = b2 * state[si(1u, i)] + hp_oneMinusBeta2(r) * g * g;
  let xi = 1.0 / (1.0 + exp(-abs(state[si(2u, i)] - g)));
  state[si(0u, i)] = m;
  state[si(1u, i)] = v;
  state[si(2u, i)] = g;
  param_out(i, p - sc_stepSize(r) * xi * m / (sqrt(v) + hp_eps(r)));
}
