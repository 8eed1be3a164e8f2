// Dense layer forward for a population: Z[r,b,j] = b[r,j] + sum_k W[r,j,k] * in[r,b,k], A = act(Z).
// One thread per (run, example, output unit). Parameters of run r start at r * P; W is [out, in].
// Input modes: 0 = previous activations [R, B, inDim]; 1 = data rows X[idx[r', b]] (minibatch,
// r' = r when indices are per run, else 0); 2 = data rows X[rowOffset + b] (full batch / eval chunk).

struct Dense {
  R: u32, B: u32, inDim: u32, outDim: u32,
  P: u32, wOff: u32, bOff: u32, hasBias: u32,
  inMode: u32, idxPerRun: u32, rowOffset: u32, isLast: u32,
}

@group(0) @binding(0) var<uniform> d: Dense;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> inActs: array<f32>;
@group(0) @binding(3) var<storage, read> X: array<f32>;
@group(0) @binding(4) var<storage, read> idx: array<u32>;
@group(0) @binding(5) var<storage, read_write> outZ: array<f32>;
@group(0) @binding(6) var<storage, read_write> outA: array<f32>;

override WG: u32 = 64u;

// Offset of example b's input row for run r.
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
  let total = d.R * d.B * d.outDim;
  if (i >= total) {
    return;
  }
  let j = i % d.outDim;
  let rb = i / d.outDim;
  let b = rb % d.B;
  let r = rb / d.B;
  let wBase = r * d.P + d.wOff + j * d.inDim;
  let inBase = input_base(r, b);
  var acc: f32 = 0.0;
  if (d.hasBias == 1u) {
    acc = params[r * d.P + d.bOff + j];
  }
  for (var k: u32 = 0u; k < d.inDim; k++) {
    acc += params[wBase + k] * input_at(inBase + k);
  }
  outZ[i] = acc;
  if (d.isLast == 0u) {
    outA[i] = act(acc);
  }
}
