// AdaBelief 0.2 (juntang-zhuang/Adabelief-Optimizer) for a population (after optim_common.wgsl and
// the accessors of the hyper and scalars named in src/engine/optim/adabelief.ts).
// Step: theta <- theta decay - (A m / (sqrt(s) B + eps) + C m)
//          (plain: A = lr/bc1, B = 1/sqrt(bc2); rectified: A = lr r_t / bc1, B = 1; SGD-like: C = lr/bc1)
// state:   slot 0 m; slot 1 s of the denominator (s, or its running max with amsgrad); slot 2 raw s (amsgrad).
// eps enters twice: added into s every step, and added to the denominator.

fn update(i: u32, r: u32) {
  let b1 = hp_beta1(r);
  let b2 = hp_beta2(r);
  let eps = hp_eps(r);
  let p0 = param_in(i);
  let g = grads[i] + hp_coupledWd(r) * p0;
  let m = b1 * state[si(0u, i)] + hp_oneMinusBeta1(r) * g;
  state[si(0u, i)] = m;
  let res = g - m;
  var s: f32;
  if (flagOn(hp_amsgrad(r))) {
    let raw = b2 * state[si(2u, i)] + hp_oneMinusBeta2(r) * res * res + eps;
    state[si(2u, i)] = raw;
    s = max(state[si(1u, i)], raw);
  } else {
    s = b2 * state[si(1u, i)] + hp_oneMinusBeta2(r) * res * res + eps;
  }
  state[si(1u, i)] = s;
  var delta = sc_C(r) * m;
  let a = sc_A(r);
  if (a != 0.0) { delta += a * m / (sqrt(s) * sc_B(r) + eps); }
  param_out(i, p0 * sc_decay(r) - delta);
}
