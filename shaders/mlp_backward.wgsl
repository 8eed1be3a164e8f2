// Dense layer backward for a population, both halves in one dispatch.
// Threads [0, R*out*(in+1)): weight/bias gradient
//   grads[r, W[j,k]] = sum_b delta[r,b,j] * in[r,b,k]      (k < in)
//   grads[r, b[j]]   = sum_b delta[r,b,j]                   (k == in, when the layer has a bias)
// Threads after that (when needPrev == 1): the previous layer's delta
//   deltaPrev[r,b,k] = act'(zPrev[r,b,k]) * sum_j delta[r,b,j] * W[r,j,k]
// delta is already d(mean batch loss)/dZ, so the sums over b give the mean gradient.
// With SCALED == 1 (per-example clipping), example b of run r is weighted by scale[r*B + b] and the
// result goes to the same `grads` binding (bound to the clipped-gradient buffer by the caller).

struct Dense {
  R: u32, B: u32, inDim: u32, outDim: u32,
  P: u32, wOff: u32, bOff: u32, hasBias: u32,
  inMode: u32, idxPerRun: u32, rowOffset: u32, needPrev: u32,
}

@group(0) @binding(0) var<uniform> d: Dense;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> delta: array<f32>;
@group(0) @binding(3) var<storage, read> inActs: array<f32>;
@group(0) @binding(4) var<storage, read> X: array<f32>;
@group(0) @binding(5) var<storage, read> idx: array<u32>;
@group(0) @binding(6) var<storage, read> zPrevOrScale: array<f32>;
@group(0) @binding(7) var<storage, read_write> grads: array<f32>;
@group(0) @binding(8) var<storage, read_write> deltaPrev: array<f32>;

override WG: u32 = 64u;
override SCALED: u32 = 0u;

fn input_base(r: u32, b: u32) -> u32 {
  if (d.inMode == 0u) {
    return (r * d.B + b) * d.inDim;
  }
  if (d.inMode == 1u) {
    return idx[select(0u, r, d.idxPerRun == 1u) * d.B + b] * d.inDim;
  }
  return (d.rowOffset + b) * d.inDim;
}

fn input_at(i: u32) -> f32 {
  if (d.inMode == 0u) {
    return inActs[i];
  }
  return X[i];
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  let cols = d.inDim + 1u;
  let nGrad = d.R * d.outDim * cols;
  if (i < nGrad) {
    let k = i % cols;
    let rj = i / cols;
    let j = rj % d.outDim;
    let r = rj / d.outDim;
    if (k == d.inDim && d.hasBias == 0u) {
      return;
    }
    var acc: f32 = 0.0;
    for (var b = 0u; b < d.B; b++) {
      var w = delta[(r * d.B + b) * d.outDim + j];
      if (SCALED == 1u) {
        w *= zPrevOrScale[r * d.B + b];
      }
      if (k < d.inDim) {
        w *= input_at(input_base(r, b) + k);
      }
      acc += w;
    }
    if (k < d.inDim) {
      grads[r * d.P + d.wOff + j * d.inDim + k] = acc;
    } else {
      grads[r * d.P + d.bOff + j] = acc;
    }
    return;
  }
  if (SCALED == 1u || d.needPrev == 0u) {
    return;
  }
  let m = i - nGrad;
  if (m >= d.R * d.B * d.inDim) {
    return;
  }
  let k = m % d.inDim;
  let rb = m / d.inDim;
  let b = rb % d.B;
  let r = rb / d.B;
  let wBase = r * d.P + d.wOff + k;
  let dBase = (r * d.B + b) * d.outDim;
  var acc: f32 = 0.0;
  for (var j = 0u; j < d.outDim; j++) {
    acc += delta[dBase + j] * params[wBase + j * d.inDim];
  }
  deltaPrev[m] = acc * act_grad(zPrevOrScale[m]);
}
