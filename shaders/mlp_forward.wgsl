// Dense layer forward for a population: Z[r,b,j] = b[r,j] + sum_k W[r,j,k] * in[r,b,k], A = act(Z).
// One thread per (run, example, output unit). Parameters of run r start at r * P; W is [out, in].
// Shapes and modes are override constants (loops with compile-time bounds and no branches inside
// run several times faster on CPU-backed adapters). Input modes: 0 = previous activations
// [R, B, IN]; 1 = data rows X[idx[r', b]] (minibatch; r' = r when indices are per run, else 0);
// 2 = data rows X[rowOffset + b] (full batch / evaluation chunk).

struct Offsets { P: u32, wOff: u32, bOff: u32, rowOffset: u32 }

@group(0) @binding(0) var<uniform> o: Offsets;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> inActs: array<f32>;
@group(0) @binding(3) var<storage, read> X: array<f32>;
@group(0) @binding(4) var<storage, read> idx: array<u32>;
@group(0) @binding(5) var<storage, read_write> outZ: array<f32>;
@group(0) @binding(6) var<storage, read_write> outA: array<f32>;

override WG: u32 = 64u;
override R: u32 = 1u;
override B: u32 = 1u;
override IN: u32 = 1u;
override OUT: u32 = 1u;
override IN_MODE: u32 = 0u;
override IDX_PER_RUN: bool = false;
override HAS_BIAS: bool = true;
override IS_LAST: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= R * B * OUT) {
    return;
  }
  let j = i % OUT;
  let rb = i / OUT;
  let b = rb % B;
  let r = rb / B;
  let wBase = r * o.P + o.wOff + j * IN;
  var acc: f32 = 0.0;
  if (HAS_BIAS) {
    acc = params[r * o.P + o.bOff + j];
  }
  if (IN_MODE == 0u) {
    let base = rb * IN;
    for (var k: u32 = 0u; k < IN; k++) {
      acc += params[wBase + k] * inActs[base + k];
    }
  } else {
    var row = o.rowOffset + b;
    if (IN_MODE == 1u) {
      row = idx[select(0u, r, IDX_PER_RUN) * B + b];
    }
    let base = row * IN;
    for (var k: u32 = 0u; k < IN; k++) {
      acc += params[wBase + k] * X[base + k];
    }
  }
  outZ[i] = acc;
  if (!IS_LAST) {
    outA[i] = act(acc);
  }
}
