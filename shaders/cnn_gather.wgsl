// Minibatch gather for a convolutional model: out[r,b,k] = X[idx[r', b], k] with r' = r when the
// indices are per run (IDX_PER_RUN, RG = R runs of rows), else 0 (RG = 1: one shared copy that every
// run reads with input run stride 0). One invocation per value.

// Bindings (X, idx, outX): CNN_GATHER_IO in src/engine/model/cnn_gpu.ts.

override WG: u32 = 64u;
override RG: u32 = 1u;
override B: u32 = 1u;
override IN: u32 = 1u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= RG * B * IN) {
    return;
  }
  let rb = i / IN;
  outX[i] = X[idx[rb] * IN + i % IN];
}
