// AdamP / SGDP (Heo et al., ICLR 2021) for a population: three dispatches per step.
//  1. rows:   one workgroup per (segment, run). A segment is one row (out index) of a dense weight,
//             or a whole unprojected tensor (bias). Updates the optimizer state and, for weight
//             rows, reduces g.p, g.g, p.p and p.u (u = the proposed update) into rowStats.
//  2. decide: one thread per (run, tensor): max row cosine vs delta/sqrt(cols) (channel view),
//             then the whole-tensor cosine vs delta/sqrt(size) (layer view).
//  3. update: one thread per coordinate: recompute u from the state, remove its radial component
//             (per row or per tensor), decoupled weight decay scaled by wdRatio when projected, step.
// ADAMP (a define, src/engine/optim/adamp.ts): true = AdamP (state: m, v), false = SGDP (state:
// momentum buffer). Hyperparameters and step scalars through the accessors generated from the
// names in adamp.ts (hp_<name>, sc_<name>), prepended to this file. Bindings: ADAMP_IO in adamp.ts
// (segs: (start, length, row or NONE, tensor) per segment; tensors: (offset, size, rows or 0, first
// row); rowStats: (g.p, g.g, p.p, p.u) per row; decision: (mode, layer coefficient) per tensor).

override WG: u32 = 64u; // a power of two (tree reductions)
override R: u32;      // runs
override P: u32;      // floats per run
override NROWS: u32;  // projected rows per run (rowStats has 4 floats per row)
override NT: u32;     // tensors per run
override HS: u32;     // hyper floats per run

const NONE: u32 = 0xffffffffu;
const SS: u32 = 8u; // STEP_SCALARS

fn hp(r: u32, k: u32) -> f32 { return hyperR[r * HS + k]; }

fn sc(r: u32, q: u32) -> f32 { return scalars[(step.slot * R + r) * SS + q]; }

// Advance the state of coordinate (r, j) with gradient g; returns the proposed update u.
fn advance(r: u32, j: u32, g: f32) -> f32 {
  let i0 = r * P + j;
//#if ADAMP
  let i1 = (R + r) * P + j;
  state[i0] = hp_beta1(r) * state[i0] + hp_oneMinusBeta1(r) * g;
  state[i1] = hp_beta2(r) * state[i1] + hp_oneMinusBeta2(r) * g * g;
//#else
  state[i0] = hp_momentum(r) * state[i0] + hp_oneMinusDampening(r) * g;
//#endif
  return proposal(r, j, g);
}

@compute @workgroup_size(WG)
fn rows(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let s = wid.x;
  let r = wid.y;
  let seg = segs[s];
  var acc = vec4f(0.0);
  for (var k = lid.x; k < seg.y; k += WG) {
    let j = seg.x + k;
    let g = grads[r * P + j];
    let p = params[r * P + j];
    let u = advance(r, j, g);
    acc += vec4f(g * p, g * g, p * p, p * u);
  }
  if (seg.z == NONE) { return; } // uniform per workgroup: no barrier is skipped by part of it
  let total = rowSum(lid.x, acc);
  if (lid.x == 0u) {
    rowStats[r * NROWS + seg.z] = total;
  }
}

// Cosine as F.cosine_similarity: |x.y| / (max(||x||, eps) * max(||y||, eps)).
fn cosine(st: vec4f, eps: f32) -> f32 {
  return abs(st.x) / (max(sqrt(st.y), eps) * max(sqrt(st.z), eps));
}

// Per (run, tensor): mode 0 = no projection, 1 = channel view (per row), 2 = layer view.
@compute @workgroup_size(WG)
fn decide(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= R * NT) { return; }
  let r = i / NT;
  let tn = tensors[i % NT];
  var out = vec2f(0.0, 0.0);
  if (tn.z > 0u) {
    let eps = hp_eps(r);
    let delta = hp_delta(r);
    let cols = tn.y / tn.z;
    var maxCos: f32 = 0.0;
    var sum = vec4f(0.0);
    for (var k = 0u; k < tn.z; k++) {
      let st = rowStats[r * NROWS + tn.w + k];
      maxCos = max(maxCos, cosine(st, eps));
      sum += st;
    }
    if (maxCos < delta / sqrt(f32(cols))) {
      out = vec2f(1.0, 0.0);
    } else if (cosine(sum, eps) < delta / sqrt(f32(tn.y))) {
      let n = sqrt(sum.z) + eps;
      out = vec2f(2.0, sum.w / (n * n));
    }
  }
  decision[i] = out;
}

// Proposed update of coordinate (r, j) from the state that rows() already advanced.
fn proposal(r: u32, j: u32, g: f32) -> f32 {
  let i0 = r * P + j;
  let nesterov = hp_nesterov(r) != 0.0;
//#if ADAMP
  let b1 = hp_beta1(r);
  let m = state[i0];
  let denom = sqrt(state[(R + r) * P + j]) / sc_sqrtBc2(r) + hp_eps(r);
  if (nesterov) { return (b1 * m + hp_oneMinusBeta1(r) * g) / denom; }
  return m / denom;
//#else
  let buf = state[i0];
  if (nesterov) { return g + hp_momentum(r) * buf; }
  return buf;
//#endif
}

@compute @workgroup_size(WG)
fn update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= R * P) { return; }
  let r = i / P;
  let j = i - r * P;
  var k = 0u;
  while (k + 1u < NT && j >= tensors[k].x + tensors[k].y) { k++; }
  let tn = tensors[k];
  let g = grads[i];
  var p = params[i];
  var u = proposal(r, j, g);
  let d = decision[r * NT + k];
  if (d.x == 1.0) {
    let st = rowStats[r * NROWS + tn.w + (j - tn.x) / (tn.y / tn.z)];
    let n = sqrt(st.z) + hp_eps(r);
    u -= p * (st.w / (n * n));
  } else if (d.x == 2.0) {
    u -= p * d.y;
  }
  // Decoupled decay, its factor from the host (adamp.ts): decayProjected where the update was projected.
  if (hp_weightDecay(r) > 0.0) { p *= select(sc_decay(r), sc_decayProjected(r), d.x != 0.0); }
//#if ADAMP
  p -= sc_stepSize(r) * u;
//#else
  p -= sc_lr(r) * u;
//#endif
  params[i] = p;
}
