// Per-example gradient norms without per-example gradients (the "ghost norm" identity for dense
// layers): ||g_rb||^2 = sum_l ||delta_l[r,b]||^2 * (||a_l[r,b]||^2 + hasBias), where a_l is layer l's
// input. This kernel adds one layer's term; the caller runs it for every layer (first with
// `first` = 1), then a final pass (finalize = 1) turns the sum into the clipping scale
// min(1, C_r / (||g_rb|| + 1e-6)).

struct Norms {
  R: u32, B: u32, inDim: u32, outDim: u32,
  hasBias: u32, inMode: u32, idxPerRun: u32, rowOffset: u32,
  first: u32, finalize: u32, _p0: u32, _p1: u32,
}

// Bindings (d: Norms, delta, inActs, X, idx, clipNorm, acc): PER_EXAMPLE_NORMS_IO in
// src/engine/model/mlp_gpu_train.ts.

override WG: u32 = 64u;

fn input_base(r: u32, b: u32) -> u32 {
  if (d.inMode == 0u) {
    return (r * d.B + b) * d.inDim;
  }
  if (d.inMode == 1u) {
    return idx[select(0u, r, d.idxPerRun == 1u) * d.B + b] * d.inDim;
  }
  return (d.rowOffset + b) * d.inDim;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= d.R * d.B) {
    return;
  }
  let r = i / d.B;
  let b = i % d.B;
  if (d.finalize == 1u) {
    acc[i] = min(1.0, clipNorm[r] / (sqrt(acc[i]) + 1e-6));
    return;
  }
  var dn: f32 = 0.0;
  let dBase = i * d.outDim;
  for (var j = 0u; j < d.outDim; j++) {
    let v = delta[dBase + j];
    dn += v * v;
  }
  var an: f32 = f32(d.hasBias);
  let aBase = input_base(r, b);
  for (var k = 0u; k < d.inDim; k++) {
    var v: f32;
    if (d.inMode == 0u) { v = inActs[aBase + k]; } else { v = X[aBase + k]; }
    an += v * v;
  }
  // delta holds d(mean loss)/dZ = (per-example gradient)/B: rescale to the example's own gradient.
  let term = dn * an * f32(d.B) * f32(d.B);
  if (d.first == 1u) {
    acc[i] = term;
  } else {
    acc[i] += term;
  }
}
