// torch.optim.SGD for a population (concatenated after optim_common.wgsl and the accessors of the
// hyper and scalars named in src/engine/optim/sgd.ts).
// state slot 0: momentum buffer b (b = g on step 1, then b <- mu b + (1 - dampening) g).

fn update(i: u32, r: u32) {
  let mu = hp_momentum(r);
  let p = param_in(i);
  let g = grads[i] + hp_weightDecay(r) * p;
  var d = g;
  if (mu != 0.0) {
    var b = g;
    if (step.t > 1u) { b = mu * state[si(0u, i)] + hp_oneMinusDampening(r) * g; }
    state[si(0u, i)] = b;
    d = select(b, g + mu * b, flagOn(hp_nesterov(r)));
  }
  param_out(i, p - sc_lr(r) * d);
}
