// The patch CNN's fixed second layer (docs/models.md) for a population of runs. Input [2M, 1, NP]: the
// activation of filter j at patch p; output one value per example:
//   forward        out[r,b] = sum_p sum_j s_j in[r,b,j,p] / M,  s_j = +1 for j < M, -1 otherwise
//                  (one invocation per example).
//   backward_data  dIn[r,b,j,p] = s_j dOut[r,b] / M (times act'(zPrev) when PREV_ACT), one per value.
// No parameters.

// Bindings (roles of CNN_ROLES, per entry point): CNN_PATCH_HEAD_IO in src/engine/model/cnn_gpu_kernels.ts.

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
