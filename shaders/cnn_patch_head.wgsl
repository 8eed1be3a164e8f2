// The patch CNN's fixed second layer (docs/models.md) for a population of runs. Input [2M, 1, NP]: the
// activation of filter j at patch p; output one value per example:
//   forward        out[r,b] = sum_p sum_j s_j in[r,b,j,p] / M,  s_j = +1 for j < M, -1 otherwise
//                  (one invocation per example).
//   backward_data  dIn[r,b,j,p] = s_j dOut[r,b] / M (times act'(zPrev) when PREV_ACT), one per value.
// No parameters.

@group(0) @binding(0) var<uniform> o: Dims;
@group(0) @binding(2) var<storage, read> inp: array<f32>;
@group(0) @binding(3) var<storage, read_write> outZ: array<f32>;
@group(0) @binding(5) var<storage, read> dOut: array<f32>;
@group(0) @binding(6) var<storage, read> zPrev: array<f32>;
@group(0) @binding(7) var<storage, read_write> dIn: array<f32>;

override M: u32 = 1u;
override NP: u32 = 1u;

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= R * B) {
    return;
  }
  let base = o.inOff + (i / B) * o.inRS + (i % B) * (2u * M * NP);
  var pos: f32 = 0.0;
  var neg: f32 = 0.0;
  for (var j = 0u; j < M; j++) {
    for (var p = 0u; p < NP; p++) {
      pos += inp[base + j * NP + p];
      neg += inp[base + (M + j) * NP + p];
    }
  }
  outZ[i] = (pos - neg) / f32(M);
}

@compute @workgroup_size(WG)
fn backward_data(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let m = flat_index(gid, nwg);
  let F = 2u * M;
  if (m >= R * B * F * NP) {
    return;
  }
  let j = (m / NP) % F;
  let rb = m / (NP * F);
  var g = dOut[rb] / f32(M);
  if (j >= M) {
    g = -g;
  }
  if (PREV_ACT) {
    g *= act_grad(zPrev[m]);
  }
  dIn[m] = g;
}
