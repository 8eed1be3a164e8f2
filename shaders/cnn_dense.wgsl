// Dense layer of a convolutional model for a population of runs, reading its input flattened
// ([C][H][W] row-major, so "flatten" needs no kernel): out[r,b,j] = bias[r,j] + sum_k W[r,j,k] in[r,b,k].
// W is [OUT, IN] row-major at wOff, the bias [OUT] at bOff.
// Entry points:
//   forward   one invocation per output value (and act(out) when FUSE_ACT).
//   backward  both halves in one dispatch, like mlp_backward.wgsl:
//             invocations [0, R*OUT*(IN+1)): grads[r,W[j,k]] = sum_b dOut[r,b,j] in[r,b,k]
//             (k == IN: the bias, sum_b dOut[r,b,j]); each sums over the batch in order;
//             then, when NEED_DATA, one per input value: dIn[r,b,k] = sum_j dOut[r,b,j] W[r,j,k]
//             (times act'(zPrev) when PREV_ACT).

// Bindings (roles of CNN_ROLES, per entry point): CNN_DENSE_IO in src/engine/model/cnn_gpu_kernels.ts.

override IN: u32 = 1u;
override OUT: u32 = 1u;
override HAS_BIAS: bool = true;
override NEED_DATA: bool = false;

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= R * B * OUT) {
    return;
  }
  let j = i % OUT;
  let rb = i / OUT;
  let r = rb / B;
  let b = rb % B;
  let inBase = o.inOff + r * o.inRS + b * IN;
  let wBase = r * o.P + o.wOff + j * IN;
  var acc: f32 = 0.0;
  if (HAS_BIAS) {
    acc = params[r * o.P + o.bOff + j];
  }
  for (var k = 0u; k < IN; k++) {
    acc += params[wBase + k] * inp[inBase + k];
  }
  outZ[i] = acc;
  if (FUSE_ACT) {
    outA[i] = act(acc);
  }
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  let cols = IN + 1u;
  let nGrad = R * OUT * cols;
  if (i < nGrad) {
    let k = i % cols;
    let j = (i / cols) % OUT;
    let r = i / (cols * OUT);
    var acc: f32 = 0.0;
    if (k == IN) {
      if (!HAS_BIAS) {
        return;
      }
      for (var b = 0u; b < B; b++) {
        acc += dOut[(r * B + b) * OUT + j];
      }
      grads[r * o.P + o.bOff + j] = acc;
      return;
    }
    let inBase = o.inOff + r * o.inRS + k;
    for (var b = 0u; b < B; b++) {
      acc += dOut[(r * B + b) * OUT + j] * inp[inBase + b * IN];
    }
    grads[r * o.P + o.wOff + j * IN + k] = acc;
    return;
  }
  if (!NEED_DATA) {
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
  var acc: f32 = 0.0;
  for (var j = 0u; j < OUT; j++) {
    acc += dOut[rb * OUT + j] * params[wBase + j * IN];
  }
  if (PREV_ACT) {
    acc *= act_grad(zPrev[m]);
  }
  dIn[m] = acc;
}
