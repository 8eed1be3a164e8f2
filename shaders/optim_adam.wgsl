// torch.optim.Adam / AdamW for a population (concatenated after optim_common.wgsl and the accessors
// of the hyper and scalars named in src/engine/optim/adam.ts: stepSize = lr / bc1,
// invSqrtBc2 = 1 / sqrt(bc2), decay = 1 - lr wd for AdamW and 1 for Adam).
// state:   slot 0 m; slot 1 the v of the denominator (v, or max_t v with amsgrad); slot 2 raw v (amsgrad).

// Whether any run of the population uses AMSGrad (anyHyper in src/engine/optim/common.ts): when
// none does, its branch is compiled out rather than run masked off.
override AMSGRAD: bool = true;

fn update(i: u32, r: u32) {
  let b1 = hp_beta1(r);
  let b2 = hp_beta2(r);
  let p0 = param_in(i);
  let g = grads[i] + hp_coupledWd(r) * p0;
  let m = b1 * state[si(0u, i)] + hp_oneMinusBeta1(r) * g;
  state[si(0u, i)] = m;
  var v: f32;
  if (AMSGRAD && flagOn(hp_amsgrad(r))) {
    let raw = b2 * state[si(2u, i)] + hp_oneMinusBeta2(r) * g * g;
    state[si(2u, i)] = raw;
    v = max(state[si(1u, i)], raw);
  } else {
    v = b2 * state[si(1u, i)] + hp_oneMinusBeta2(r) * g * g;
  }
  state[si(1u, i)] = v;
  param_out(i, p0 * sc_decay(r) - sc_stepSize(r) * m / (sqrt(v) * sc_invSqrtBc2(r) + hp_eps(r)));
}
