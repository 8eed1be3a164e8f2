// Dense layer backward for a population, both halves in one dispatch.
// Threads [0, R*OUT*(IN+1)): weight/bias gradient
//   grads[r, W[j,k]] = sum_b delta[r,b,j] * in[r,b,k]      (k < IN)
//   grads[r, b[j]]   = sum_b delta[r,b,j]                   (k == IN, when the layer has a bias)
// Threads after that (when NEED_PREV): the previous layer's delta
//   deltaPrev[r,b,k] = act'(zPrev[r,b,k]) * sum_j delta[r,b,j] * W[r,j,k]
// delta is already d(mean batch loss)/dZ, so the sums over b give the mean gradient.
// With SCALED (per-example clipping), example b of run r is weighted by scale[r*B + b] and the
// result goes to the `grads` binding (bound to the clipped-gradient buffer by the caller).
// Shapes and modes are override constants; input modes as in mlp_forward.wgsl.

struct Offsets { P: u32, wOff: u32, bOff: u32, rowOffset: u32 }

@group(0) @binding(0) var<uniform> o: Offsets;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> delta: array<f32>;
@group(0) @binding(3) var<storage, read> inActs: array<f32>;
@group(0) @binding(4) var<storage, read> X: array<f32>;
@group(0) @binding(5) var<storage, read> idx: array<u32>;
@group(0) @binding(6) var<storage, read> zPrevOrScale: array<f32>;
@group(0) @binding(7) var<storage, read_write> grads: array<f32>;
@group(0) @binding(8) var<storage, read_write> deltaPrev: array<f32>;

override WG: u32 = 64u;
override R: u32 = 1u;
override B: u32 = 1u;
override IN: u32 = 1u;
override OUT: u32 = 1u;
override IN_MODE: u32 = 0u;
override IDX_PER_RUN: bool = false;
override HAS_BIAS: bool = true;
override NEED_PREV: bool = false;
override SCALED: bool = false;

fn input_row(r: u32, b: u32) -> u32 {
  if (IN_MODE == 1u) {
    return idx[select(0u, r, IDX_PER_RUN) * B + b];
  }
  return o.rowOffset + b;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  let cols = IN + 1u;
  let nGrad = R * OUT * cols;
  if (i < nGrad) {
    let k = i % cols;
    let rj = i / cols;
    let j = rj % OUT;
    let r = rj / OUT;
    var acc: f32 = 0.0;
    if (k == IN) {
      if (!HAS_BIAS) {
        return;
      }
      for (var b = 0u; b < B; b++) {
        var w = delta[(r * B + b) * OUT + j];
        if (SCALED) { w *= zPrevOrScale[r * B + b]; }
        acc += w;
      }
      grads[r * o.P + o.bOff + j] = acc;
      return;
    }
    if (IN_MODE == 0u) {
      for (var b = 0u; b < B; b++) {
        var w = delta[(r * B + b) * OUT + j];
        if (SCALED) { w *= zPrevOrScale[r * B + b]; }
        acc += w * inActs[(r * B + b) * IN + k];
      }
    } else {
      for (var b = 0u; b < B; b++) {
        var w = delta[(r * B + b) * OUT + j];
        if (SCALED) { w *= zPrevOrScale[r * B + b]; }
        acc += w * X[input_row(r, b) * IN + k];
      }
    }
    grads[r * o.P + o.wOff + j * IN + k] = acc;
    return;
  }
  if (SCALED || !NEED_PREV) {
    return;
  }
  let m = i - nGrad;
  if (m >= R * B * IN) {
    return;
  }
  let k = m % IN;
  let rb = m / IN;
  let r = rb / B;
  let wBase = r * o.P + o.wOff + k;
  let dBase = rb * OUT;
  var acc: f32 = 0.0;
  for (var j = 0u; j < OUT; j++) {
    acc += delta[dBase + j] * params[wBase + j * IN];
  }
  deltaPrev[m] = acc * act_grad(zPrevOrScale[m]);
}
