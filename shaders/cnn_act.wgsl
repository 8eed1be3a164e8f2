// Element-wise activation of a convolutional model (when it is not fused into the op before it),
// over SIZE values per example of a population of runs:
//   forward   out[r,b,k] = act(in[r,b,k])
//   backward  dIn[r,b,k] = dOut[r,b,k] * act'(in[r,b,k])
// One invocation per value.

// Bindings (roles of CNN_ROLES): CNN_ACT_IO in src/engine/model/cnn_gpu_kernels.ts.

override SIZE: u32 = 1u;

fn input_at(m: u32) -> f32 {
  let rb = m / SIZE;
  return inp[o.inOff + (rb / B) * o.inRS + (rb % B) * SIZE + m % SIZE];
}

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= R * B * SIZE) {
    return;
  }
  outZ[i] = act(input_at(i));
}

@compute @workgroup_size(WG)
fn backward_data(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let m = flat_index(gid, nwg);
  if (m >= R * B * SIZE) {
    return;
  }
  dIn[m] = dOut[m] * act_grad(input_at(m));
}
