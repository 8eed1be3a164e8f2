// signSGD / Signum (Bernstein et al. 2018) for a population (concatenated after optim_common.wgsl
// and the accessors of the hyper and scalars named in src/engine/optim/signsgd.ts).
// state:   slot 0 momentum m (starts at 0; m <- beta m + (1 - beta) g when momentum > 0).

fn update(i: u32, r: u32) {
  let beta = hp_momentum(r);
  let p = param_in(i);
  let g = grads[i] + hp_weightDecay(r) * p;
  var d = g;
  if (beta > 0.0) {
    d = beta * state[si(0u, i)] + hp_oneMinusMomentum(r) * g;
    state[si(0u, i)] = d;
  }
  param_out(i, p - sc_lr(r) * sign(d));
}
