// SGD-SaI (Xu et al. 2024; AnonymousAlethiometer/SGD_SaI v1.0.3) for a population (after
// optim_common.wgsl and the accessors of the hyper and scalars named in src/engine/optim/sgd_sai.ts).
// Two entry points, both dispatched every step:
//   snr:  one workgroup per (tensor, run); on step 1 only, reduces the tensor's first gradient to
//         gsnr = ||g|| / (std(g) + eps) (unbiased std, two passes) and freezes it in `gsnr`.
//   main: one thread per coordinate: b = g (step 1 or momentum 0) else mu b + (1 - mu) g;
//         theta <- theta decay - lr gsnr b   (decay = 1 - lr wd).
// state:   slot 0 momentum buffer.
// guard = 1: a one-element tensor gets gsnr = 1; guard = 0 (faithful): its NaN std counts as 0.
// normalizeGsnr = 1 (v1.0.4): gsnr / max over the run's tensors.

// Extra bindings (SAI_IO in src/engine/optim/sgd_sai.ts): tensors, a vec4u per tensor (offset,
// size, isBias, 0); gsnr, f32 [runs * NT].

override NT: u32 = 1u;

// reduceSum(lid, x): the workgroup's sum (kernel_io.ts workgroupReduce).

@compute @workgroup_size(WG)
fn snr(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  if (step.t != 1u) { return; }
  let k = wid.x;
  let r = wid.y;
  load_run(r);
  let lid = lid3.x;
  let tinfo = tensors[k];
  let base = r * step.paramCount + tinfo.x;
  let n = tinfo.y;
  var s1 = 0.0;
  var s2 = 0.0;
  for (var j = lid; j < n; j += WG) {
    let g = grads[base + j];
    s1 += g;
    s2 += g * g;
  }
  let sum1 = reduceSum(lid, s1);
  let sum2 = reduceSum(lid, s2);
  let mean = sum1 / f32(n);
  var c2 = 0.0;
  for (var j = lid; j < n; j += WG) {
    let d = grads[base + j] - mean;
    c2 += d * d;
  }
  let css = reduceSum(lid, c2);
  if (lid == 0u) {
    var sd = 0.0;
    if (n > 1u) { sd = sqrt(css / f32(n - 1u)); }
    var value = sqrt(sum2) / (sd + hp_eps(r));
    if (n == 1u && flagOn(hp_guard(r))) { value = 1.0; }
    gsnr[r * NT + k] = value;
  }
}

fn update(i: u32, r: u32) {
  let j = i - r * step.paramCount;
  var k = 0u;
  for (var q = 0u; q < NT; q++) {
    let tq = tensors[q];
    if (j >= tq.x && j < tq.x + tq.y) { k = q; }
  }
  var scale = gsnr[r * NT + k];
  if (flagOn(hp_normalizeGsnr(r))) {
    var mx = 0.0;
    for (var q = 0u; q < NT; q++) { mx = max(mx, gsnr[r * NT + q]); }
    scale = select(0.0, scale / mx, mx > 0.0);
  }
  let mu = hp_momentum(r);
  let g = grads[i];
  var b = g;
  if (step.t > 1u && mu != 0.0) { b = mu * state[si(0u, i)] + hp_oneMinusMomentum(r) * g; }
  state[si(0u, i)] = b;
  param_out(i, param_in(i) * sc_decay(r) - sc_lr(r) * scale * b);
}
