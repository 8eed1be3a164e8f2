// diffGrad v2 (shivram1987/diffGrad, diffGrad_v2.py) for a population (after optim_common.wgsl).
// hyper:   [beta1, beta2, eps, weightDecay]   scalars: [lr, lr sqrt(bc2) / bc1]
// state:   slot 0 m, slot 1 v, slot 2 previous gradient (0 before step 1).

fn update(i: u32, r: u32) {
  let b1 = hp(r, 0u);
  let b2 = hp(r, 1u);
  let p = param_in(i);
  let g = grads[i] + hp(r, 3u) * p;
  let m = b1 * state[si(0u, i)] + (1.0 - b1) * g;
  let v = b2 * state[si(1u, i)] + (1.0 - b2) * g * g;
  let xi = 1.0 / (1.0 + exp(-abs(state[si(2u, i)] - g)));
  state[si(0u, i)] = m;
  state[si(1u, i)] = v;
  state[si(2u, i)] = g;
  param_out(i, p - sc(r, 1u) * xi * m / (sqrt(v) + hp(r, 2u)));
}
