// AdaBelief 0.2 (juntang-zhuang/Adabelief-Optimizer) for a population (after optim_common.wgsl).
// hyper:   [beta1, beta2, eps, coupledWd, amsgrad (only without rectify)]
// scalars: [lr, decay, A, B, C]: theta <- theta decay - (A m / (sqrt(s) B + eps) + C m)
//          (plain: A = lr/bc1, B = 1/sqrt(bc2); rectified: A = lr r_t / bc1, B = 1; SGD-like: C = lr/bc1)
// state:   slot 0 m; slot 1 s of the denominator (s, or its running max with amsgrad); slot 2 raw s (amsgrad).
// eps enters twice: added into s every step, and added to the denominator.

fn update(i: u32, r: u32) {
  let b1 = hp(r, 0u);
  let b2 = hp(r, 1u);
  let eps = hp(r, 2u);
  let p0 = param_in(i);
  let g = grads[i] + hp(r, 3u) * p0;
  let m = b1 * state[si(0u, i)] + (1.0 - b1) * g;
  state[si(0u, i)] = m;
  let res = g - m;
  var s: f32;
  if (flagOn(hp(r, 4u))) {
    let raw = b2 * state[si(2u, i)] + (1.0 - b2) * res * res + eps;
    state[si(2u, i)] = raw;
    s = max(state[si(1u, i)], raw);
  } else {
    s = b2 * state[si(1u, i)] + (1.0 - b2) * res * res + eps;
  }
  state[si(1u, i)] = s;
  var delta = sc(r, 4u) * m;
  let a = sc(r, 2u);
  if (a != 0.0) { delta += a * m / (sqrt(s) * sc(r, 3u) + eps); }
  param_out(i, p0 * sc(r, 1u) - delta);
}
