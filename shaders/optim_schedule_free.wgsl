// Schedule-Free SGD and AdamW for a population (src/engine/optim/schedule_free.ts), composed after
// optim_common.wgsl and the accessors of the hyper and scalars named there. The parameters hold x
// (the averaged point, where metrics are taken); state slot 0 holds d = z - x (zero at the start,
// when z = x). The gradient g was taken at y = x + (1 - beta1) d (the point kernels of
// optim_schedule_free_point.wgsl). Per coordinate, with c = c_t and lr = the warmed-up lr:
//   gn = g / (sqrt(v / bc2) + eps) (AdamW; v <- b2 v + (1 - b2) g^2 first) or g (SGD), plus wd y;
//   e = d - lr gn  (= z_t - x_{t-1});  x <- x + c e;  d <- (1 - c) e.
// ADAM (a define): AdamW's second moment in state slot 1.

fn update(i: u32, r: u32) {
  let x = param_in(i);
  let d = state[si(0u, i)];
  let y = x + hp_oneMinusBeta1(r) * d;
  let g = grads[i];
//#if ADAM
  let v = hp_beta2(r) * state[si(1u, i)] + hp_oneMinusBeta2(r) * g * g;
  state[si(1u, i)] = v;
  let gn = g / (sqrt(v) * sc_invSqrtBc2(r) + hp_eps(r)) + hp_weightDecay(r) * y;
//#else
  let gn = g + hp_weightDecay(r) * y;
//#endif
  let e = d - sc_lr(r) * gn;
  let c = sc_ck(r);
  param_out(i, x + c * e);
  state[si(0u, i)] = sc_oneMinusCk(r) * e;
}
