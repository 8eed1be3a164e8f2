// torch.optim.RMSprop for a population (concatenated after optim_common.wgsl and the accessors of
// the hyper and scalars named in src/engine/optim/rmsprop.ts).
// state:   slot 0 v (square average), slot 1 g_avg (centered), slot 2 momentum buffer (starts at 0).

fn update(i: u32, r: u32) {
  let alpha = hp_alpha(r);
  let mu = hp_momentum(r);
  let p = param_in(i);
  let g = grads[i] + hp_weightDecay(r) * p;
  let v = alpha * state[si(0u, i)] + hp_oneMinusAlpha(r) * g * g;
  state[si(0u, i)] = v;
  var vt = v;
  if (flagOn(hp_centered(r))) {
    let ga = alpha * state[si(1u, i)] + hp_oneMinusAlpha(r) * g;
    state[si(1u, i)] = ga;
    vt = max(v - ga * ga, 0.0);
  }
  let d = g / (sqrt(vt) + hp_eps(r));
  if (mu > 0.0) {
    let b = mu * state[si(2u, i)] + d;
    state[si(2u, i)] = b;
    param_out(i, p - sc_lr(r) * b);
  } else {
    param_out(i, p - sc_lr(r) * d);
  }
}
