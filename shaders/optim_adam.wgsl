// torch.optim.Adam / AdamW for a population (concatenated after optim_common.wgsl).
// hyper:   [beta1, beta2, eps, coupledWd, amsgrad]
// scalars: [lr, lr / bc1, 1 / sqrt(bc2), decay]   (decay = 1 - lr wd for AdamW, 1 for Adam)
// state:   slot 0 m; slot 1 the v of the denominator (v, or max_t v with amsgrad); slot 2 raw v (amsgrad).

// Whether any run of the population uses AMSGrad (anyHyper in src/engine/optim/common.ts): when
// none does, its branch is compiled out rather than run masked off.
override AMSGRAD: bool = true;

fn update(i: u32, r: u32) {
  let b1 = hp(r, 0u);
  let b2 = hp(r, 1u);
  let p0 = param_in(i);
  let g = grads[i] + hp(r, 3u) * p0;
  let m = b1 * state[si(0u, i)] + (1.0 - b1) * g;
  state[si(0u, i)] = m;
  var v: f32;
  if (AMSGRAD && flagOn(hp(r, 4u))) {
    let raw = b2 * state[si(2u, i)] + (1.0 - b2) * g * g;
    state[si(2u, i)] = raw;
    v = max(state[si(1u, i)], raw);
  } else {
    v = b2 * state[si(1u, i)] + (1.0 - b2) * g * g;
  }
  state[si(1u, i)] = v;
  param_out(i, p0 * sc(r, 3u) - sc(r, 1u) * m / (sqrt(v) * sc(r, 2u) + hp(r, 2u)));
}
