// torch.optim.SGD for a population (concatenated after optim_common.wgsl).
// hyper: [momentum, dampening, weightDecay, nesterov]   scalars: [lr]
// state slot 0: momentum buffer b (b = g on step 1, then b <- mu b + (1 - dampening) g).

fn update(i: u32, r: u32) {
  let mu = hp(r, 0u);
  let p = param_in(i);
  let g = grads[i] + hp(r, 2u) * p;
  var d = g;
  if (mu != 0.0) {
    var b = g;
    if (step.t > 1u) { b = mu * state[si(0u, i)] + (1.0 - hp(r, 1u)) * g; }
    state[si(0u, i)] = b;
    d = select(b, g + mu * b, flagOn(hp(r, 3u)));
  }
  param_out(i, p - sc(r, 0u) * d);
}
