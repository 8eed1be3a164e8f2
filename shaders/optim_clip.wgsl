// Coordinate-clipped SGD and Adam (Pan & Li 2023; docs/optimizers.md) for a population. The per-run
// threshold tau (already times thresholdScale) comes from select_topc.wgsl in sel[4r + 3];
// clip(a) = sign(a) min(|a|, tau).
//  tnorm:       one workgroup per (tensor, run): ||clip(g)||^2 of the tensor (clipped SGD's
//               optional per-tensor normalisation), skipped for runs with normalize off.
//  update_sgd:  clip g, normalise (g * sqrt(numel)/||g||, 0 when the norm is 0), coupled weight
//               decay, PyTorch momentum (buffer = d on step 1), step.
//  update_adam: a = g + wd theta; the first moment takes clip(a), the second moment a itself.
// ADAM (a define, src/engine/optim/clipped.ts): true for clipped-adam (update_adam), false for
// clipped-sgd (tnorm, update_sgd). Hyperparameters and step scalars through the accessors generated
// from the names in clipped.ts (hp_<name>, sc_<name>), prepended to this file. Bindings: CLIP_IO in
// clipped.ts (tensors: (offset, size, -, -) per tensor; sel: select_topc.wgsl's per-run record).

override WG: u32 = 64u; // a power of two (tree reductions)
override R: u32;
override P: u32;
override NT: u32;
override HS: u32;

const SS: u32 = 8u; // STEP_SCALARS

fn hp(r: u32, k: u32) -> f32 { return hyper[r * HS + k]; }
fn sc(r: u32, q: u32) -> f32 { return scalars[(step.slot * R + r) * SS + q]; }
fn tauOf(r: u32) -> f32 { return bitcast<f32>(sel[r * 4u + 3u]); }

fn clipTo(a: f32, tau: f32) -> f32 {
  if (abs(a) <= tau) { return a; }
  return sign(a) * tau;
}

//#if !ADAM
@compute @workgroup_size(WG)
fn tnorm(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let k = wid.x;
  let r = wid.y;
  if (hp_normalize(r) == 0.0) { return; } // normalize off: uniform over the workgroup
  let tn = tensors[k];
  let tau = tauOf(r);
  var s: f32 = 0.0;
  for (var e = lid.x; e < tn.y; e += WG) {
    let c = clipTo(grads[r * P + tn.x + e], tau);
    s += c * c;
  }
  let total = reduceSum(lid.x, s);
  if (lid.x == 0u) { tnorms[r * NT + k] = total; }
}

@compute @workgroup_size(WG)
fn update_sgd(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= R * P) { return; }
  let r = i / P;
  let j = i - r * P;
  var p = params[i];
  var d = clipTo(grads[i], tauOf(r));
  if (hp_normalize(r) != 0.0) {
    var k = 0u;
    while (k + 1u < NT && j >= tensors[k].x + tensors[k].y) { k++; }
    let n2 = tnorms[r * NT + k];
    d *= select(0.0, sqrt(f32(tensors[k].y)) / sqrt(n2), n2 > 0.0);
  }
  let wd = hp_weightDecay(r);
  if (wd != 0.0) { d += wd * p; }
  let mu = hp_momentum(r);
  if (mu != 0.0) {
    var buf = d;
    if (step.t > 1u) { buf = mu * state[i] + hp_oneMinusDampening(r) * d; }
    state[i] = buf;
    if (hp_nesterov(r) != 0.0) { d += mu * buf; } else { d = buf; }
  }
  params[i] = p - sc_lr(r) * d;
}
//#else

@compute @workgroup_size(WG)
fn update_adam(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= R * P) { return; }
  let r = i / P;
  let p = params[i];
  let a = grads[i] + hp_weightDecay(r) * p;
  let b1 = hp_beta1(r);
  let b2 = hp_beta2(r);
  let iv = i + R * P; // slot 1 of run r: (R + r) * P + j
  let m = b1 * state[i] + hp_oneMinusBeta1(r) * clipTo(a, tauOf(r));
  let v = b2 * state[iv] + hp_oneMinusBeta2(r) * a * a;
  state[i] = m;
  state[iv] = v;
  params[i] = p - sc_stepSize(r) * m / (sqrt(v) / sc_sqrtBc2(r) + hp_eps(r));
}
//#endif
