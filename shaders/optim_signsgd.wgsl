// signSGD / Signum (Bernstein et al. 2018) for a population (concatenated after optim_common.wgsl).
// hyper:   [momentum, weightDecay]   scalars: [lr]
// state:   slot 0 momentum m (starts at 0; m <- beta m + (1 - beta) g when momentum > 0).

fn update(i: u32, r: u32) {
  let beta = hp(r, 0u);
  let p = param_in(i);
  let g = grads[i] + hp(r, 1u) * p;
  var d = g;
  if (beta > 0.0) {
    d = beta * state[si(0u, i)] + (1.0 - beta) * g;
    state[si(0u, i)] = d;
  }
  param_out(i, p - sc(r, 0u) * sign(d));
}
