// Feature alignment of the first layer: for each run, max over units j of <w_j, v> / ||w_j||, where
// w_j is row j of the first dense weight [H, D] and v a unit direction in input space. Written for the
// weak (dirs[0..D)) and strong (dirs[D..2D)) directions to stats fields wkField and wkField + 1.
// One workgroup per run; threads stride over the units.

struct AlignDims { R: u32, P: u32, H: u32, D: u32, wOff: u32, NS: u32, field: u32, _p: u32 }
struct StepInfo { t: u32, slot: u32, runs: u32, paramCount: u32 }

@group(0) @binding(0) var<uniform> d: AlignDims;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> dirs: array<f32>;
@group(0) @binding(3) var<storage, read_write> stats: array<f32>;
@group(1) @binding(0) var<uniform> step: StepInfo;

override WG: u32 = 64u;
var<workgroup> best: array<vec2f, WG>;

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
  best[lid.x] = m;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid.x < s) {
      best[lid.x] = max(best[lid.x], best[lid.x + s]);
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    let o = (step.slot * d.R + r) * d.NS + d.field;
    stats[o] = best[0].x;
    stats[o + 1u] = best[0].y;
  }
}
