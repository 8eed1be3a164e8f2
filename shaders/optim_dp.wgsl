// DP-SGD (Abadi et al. 2016) and DiceSGD (Zhang et al., ICLR 2024) updates for a population
// (docs/optimizers.md). Composed after prng.wgsl; bindings: DP_IO in src/engine/optim/dp.ts. clipped = (1/B) sum_i clip(g_i, C) from the
// engine's ghost-norm pass; grads = the unclipped batch mean (1/B) sum_i g_i.
// Noise: z ~ N(0,1) per coordinate j of run r at step t, drawn as
//   rngNormal(rngU32(seed_r, STREAM_DP_NOISE, t), STREAM_DP_NOISE, j)   (identical in TS),
// with std sigma * C / B per coordinate (sigma C on the sum, divided by the lot size B): the hyper
// slot noiseStdSum = sigma C (float64 on the host), divided here by B (exact when B is a power of 2).
//  dp_update:   theta -= lr (clipped + sigma C/B z + wd theta)
//  dice_norm:   one workgroup per run: ||e||^2 over all parameters of the run
//  dice_update: v = clipped + e min(1, C2/(||e|| + 1e-6)); theta -= lr (v + sigma C1/B z);
//               e <- e + grads - v
// DICE (a define, src/engine/optim/dp.ts): true for dice-sgd (dice_norm, dice_update), false for
// dp-sgd (dp_update). Hyperparameters and step scalars through the accessors generated from the
// names in dp.ts (hp_<name>, sc_<name>), prepended after prng.wgsl.

override WG: u32 = 64u; // a power of two (tree reductions)
override R: u32;
override P: u32;
override HS: u32;
override BATCH: f32;

const SS: u32 = 8u; // STEP_SCALARS

fn hp(r: u32, k: u32) -> f32 { return hyper[r * HS + k]; }
fn sc(r: u32, q: u32) -> f32 { return scalars[(step.slot * R + r) * SS + q]; }

fn noise(r: u32, j: u32) -> f32 {
  return rngNormal(rngU32(seeds[r], STREAM_DP_NOISE, step.t), STREAM_DP_NOISE, j);
}

//#if !DICE
@compute @workgroup_size(WG)
fn dp_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= R * P) { return; }
  let r = i / P;
  let p = params[i];
  var g = clipped[i];
  let noiseStd = hp_noiseStdSum(r);
  if (noiseStd != 0.0) { g += noiseStd / BATCH * noise(r, i - r * P); }
  let wd = hp_weightDecay(r);
  if (wd != 0.0) { g += wd * p; }
  params[i] = p - sc_lr(r) * g;
}
//#else

@compute @workgroup_size(WG)
fn dice_norm(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wid.x;
  var s: f32 = 0.0;
  for (var j = lid.x; j < P; j += WG) {
    let e = state[r * P + j];
    s += e * e;
  }
  let total = reduceSum(lid.x, s);
  if (lid.x == 0u) { enorm[r] = total; }
}

@compute @workgroup_size(WG)
fn dice_update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= R * P) { return; }
  let r = i / P;
  let e = state[i];
  let v = clipped[i] + e * min(1.0, hp_errorClipNorm(r) / (sqrt(enorm[r]) + 1e-6));
  var step_dir = v;
  let noiseStd = hp_noiseStdSum(r);
  if (noiseStd != 0.0) { step_dir += noiseStd / BATCH * noise(r, i - r * P); }
  params[i] = params[i] - sc_lr(r) * step_dir;
  state[i] = e + grads[i] - v;
}
//#endif
