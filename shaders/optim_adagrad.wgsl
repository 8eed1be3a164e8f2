// torch.optim.Adagrad for a population (concatenated after optim_common.wgsl and the accessors of
// the hyper and scalars named in src/engine/optim/adagrad.ts; clr = lr / (1 + (t-1) lrDecay)).
// state:   slot 0 the sum of squares S (S_0 = initialAccumulatorValue, set on step 1).

fn update(i: u32, r: u32) {
  let p = param_in(i);
  let g = grads[i] + hp_weightDecay(r) * p;
  var s0 = state[si(0u, i)];
  if (step.t == 1u) { s0 = hp_initialAccumulatorValue(r); }
  let s = s0 + g * g;
  state[si(0u, i)] = s;
  param_out(i, p - sc_clr(r) * g / (sqrt(s) + hp_eps(r)));
}
