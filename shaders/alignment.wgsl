// Feature alignment of the first layer: for each run, max over units j of <w_j, v> / ||w_j||, where
// w_j is row j of the first dense weight [H, D] and v a unit direction in input space. Written for the
// weak (dirs[0..D)) and strong (dirs[D..2D)) directions to stats fields wkField and wkField + 1.
// One workgroup per run; threads stride over the units.

struct AlignDims { R: u32, P: u32, H: u32, D: u32, wOff: u32, NS: u32, field: u32, _p: u32 }
// Bindings: ALIGNMENT_IO in src/engine/webgpu/run_probes.ts (d, params, dirs, stats; group 1 the
// step's StepInfo record, step). best: kernel_io.ts workgroupReduce with combine max(a, b),
// composed in front: the component-wise max of the pairs, taken as the hand-written loop took it.

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wid.x;
  var m = vec2f(-3.0e38, -3.0e38);
  for (var j = lid.x; j < d.H; j += WG) {
    let base = r * d.P + d.wOff + j * d.D;
    var nn: f32 = 0.0;
    var a: f32 = 0.0;
    var b: f32 = 0.0;
    for (var k = 0u; k < d.D; k++) {
      let w = params[base + k];
      nn += w * w;
      a += w * dirs[k];
      b += w * dirs[d.D + k];
    }
    let inv = select(0.0, inverseSqrt(nn), nn > 0.0);
    m = max(m, vec2f(a * inv, b * inv));
  }
  let top = best(lid.x, m);
  if (lid.x == 0u) {
    let o = (step.slot * d.R + r) * d.NS + d.field;
    stats[o] = top.x;
    stats[o + 1u] = top.y;
  }
}
