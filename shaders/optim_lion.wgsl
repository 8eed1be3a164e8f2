// Lion (Chen et al. 2023) for a population (concatenated after optim_common.wgsl).
// hyper:   [beta1, beta2]   scalars: [lr, decay = 1 - lr wd]
// state:   slot 0 momentum m.

fn update(i: u32, r: u32) {
  let b1 = hp(r, 0u);
  let b2 = hp(r, 1u);
  let g = grads[i];
  let m = state[si(0u, i)];
  let c = b1 * m + (1.0 - b1) * g;
  param_out(i, param_in(i) * sc(r, 1u) - sc(r, 0u) * sign(c));
  state[si(0u, i)] = b2 * m + (1.0 - b2) * g;
}
