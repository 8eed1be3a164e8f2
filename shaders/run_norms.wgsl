// Per-run squared norms over the parameter vector, one workgroup per run, written to
// stats[(slot * R + r) * NS + field]. mode 0: sum g^2 -> field gField. mode 1: sum theta^2 -> wField,
// sum (theta - prev)^2 -> dField, sum (theta - prev2)^2 -> dField + 1 and sum (theta - w0)^2 -> rField
// (w0 = the initial parameters, for relative_weight_change).

struct NormDims { R: u32, P: u32, NS: u32, mode: u32, gField: u32, wField: u32, dField: u32, rField: u32 }
// Bindings: RUN_NORMS_IO in src/engine/webgpu/run_probes.ts (d, params, grads, prev, stats, prev2,
// w0; group 1 the step's StepInfo record, step). sum4: the workgroup sum of kernel_io.ts
// (workgroupReduce over vec4f), composed in front: the four sums in lockstep, component-wise.

override WG: u32 = 256u;

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
  let sums = sum4(lid.x, vec4f(a, b, c, e));
  if (lid.x == 0u) {
    let o = (step.slot * d.R + r) * d.NS;
    if (d.mode == 0u) {
      stats[o + d.gField] = sums.x;
    } else {
      stats[o + d.wField] = sums.x;
      stats[o + d.dField] = sums.y;
      stats[o + d.dField + 1u] = sums.z;
      stats[o + d.rField] = sums.w;
    }
  }
}
