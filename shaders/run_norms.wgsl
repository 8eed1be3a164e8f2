// Per-run squared norms over the parameter vector, one workgroup per run, written to
// stats[(slot * R + r) * NS + field]. mode 0: sum g^2 -> field gField. mode 1: sum theta^2 -> wField,
// sum (theta - prev)^2 -> dField, sum (theta - prev2)^2 -> dField + 1 and sum (theta - w0)^2 -> rField
// (w0 = the initial parameters, for relative_weight_change).

struct NormDims { R: u32, P: u32, NS: u32, mode: u32, gField: u32, wField: u32, dField: u32, rField: u32 }
struct StepInfo { t: u32, slot: u32, runs: u32, paramCount: u32 }

@group(0) @binding(0) var<uniform> d: NormDims;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read> prev: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<storage, read> prev2: array<f32>;
@group(0) @binding(6) var<storage, read> w0: array<f32>;
@group(1) @binding(0) var<uniform> step: StepInfo;

override WG: u32 = 256u;
var<workgroup> partA: array<f32, WG>;
var<workgroup> partB: array<f32, WG>;
var<workgroup> partC: array<f32, WG>;
var<workgroup> partD: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wid.x;
  let base = r * d.P;
  var a: f32 = 0.0;
  var b: f32 = 0.0;
  var c: f32 = 0.0;
  var e: f32 = 0.0;
  for (var i = lid.x; i < d.P; i += WG) {
    if (d.mode == 0u) {
      let g = grads[base + i];
      a += g * g;
    } else {
      let p = params[base + i];
      let q = p - prev[base + i];
      let q2 = p - prev2[base + i];
      let q0 = p - w0[base + i];
      a += p * p;
      b += q * q;
      c += q2 * q2;
      e += q0 * q0;
    }
  }
  partA[lid.x] = a;
  partB[lid.x] = b;
  partC[lid.x] = c;
  partD[lid.x] = e;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid.x < s) {
      partA[lid.x] += partA[lid.x + s];
      partB[lid.x] += partB[lid.x + s];
      partC[lid.x] += partC[lid.x + s];
      partD[lid.x] += partD[lid.x + s];
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    let o = (step.slot * d.R + r) * d.NS;
    if (d.mode == 0u) {
      stats[o + d.gField] = partA[0];
    } else {
      stats[o + d.wField] = partA[0];
      stats[o + d.dField] = partB[0];
      stats[o + d.dField + 1u] = partC[0];
      stats[o + d.rField] = partD[0];
    }
  }
}
