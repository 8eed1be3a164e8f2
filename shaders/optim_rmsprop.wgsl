// torch.optim.RMSprop for a population (concatenated after optim_common.wgsl).
// hyper:   [alpha, eps, weightDecay, momentum, centered]   scalars: [lr]
// state:   slot 0 v (square average), slot 1 g_avg (centered), slot 2 momentum buffer (starts at 0).

fn update(i: u32, r: u32) {
  let alpha = hp(r, 0u);
  let mu = hp(r, 3u);
  let p = param_in(i);
  let g = grads[i] + hp(r, 2u) * p;
  let v = alpha * state[si(0u, i)] + (1.0 - alpha) * g * g;
  state[si(0u, i)] = v;
  var vt = v;
  if (flagOn(hp(r, 4u))) {
    let ga = alpha * state[si(1u, i)] + (1.0 - alpha) * g;
    state[si(1u, i)] = ga;
    vt = max(v - ga * ga, 0.0);
  }
  let d = g / (sqrt(vt) + hp(r, 1u));
  if (mu > 0.0) {
    let b = mu * state[si(2u, i)] + d;
    state[si(2u, i)] = b;
    param_out(i, p - sc(r, 0u) * b);
  } else {
    param_out(i, p - sc(r, 0u) * d);
  }
}
