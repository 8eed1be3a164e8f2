// Lion (Chen et al. 2023) for a population (concatenated after optim_common.wgsl and the accessors
// of the hyper and scalars named in src/engine/optim/lion.ts; decay = 1 - lr wd).
// state:   slot 0 momentum m.

fn update(i: u32, r: u32) {
  let b1 = hp_beta1(r);
  let b2 = hp_beta2(r);
  let g = grads[i];
  let m = state[si(0u, i)];
  let c = b1 * m + hp_oneMinusBeta1(r) * g;
  param_out(i, param_in(i) * sc_decay(r) - sc_lr(r) * sign(c));
  state[si(0u, i)] = b2 * m + hp_oneMinusBeta2(r) * g;
}
