// 2-D convolution (cross-correlation, as PyTorch's Conv2d) for a population of runs:
//   out[r,b,co,oy,ox] = bias[r,co] + sum_{ci,i,j} W[r,co,ci,i,j] * in[r,b,ci, oy*SH - PH + i, ox*SW - PW + j]
// with zeros outside the input. W is [CO, CI, KH, KW] row-major at wOff, the bias [CO] at bOff.
// Entry points:
//   forward          one invocation per output value (and act(out) when FUSE_ACT).
//   backward_data    one invocation per input value: dIn = sum over the outputs it feeds of W * dOut
//                    (times act'(zPrev) when PREV_ACT).
//   backward_weights one workgroup per (run, weight) and per (run, bias): the sum over the batch and
//                    the output positions, reduced in a fixed order (deterministic, no atomics).
// dOut is d(mean batch loss)/d(out), so sums over the batch give the mean-loss gradient.

// Bindings (roles of CNN_ROLES, per entry point): CNN_CONV2D_IO in src/engine/model/cnn_gpu_kernels.ts.

override CI: u32 = 1u;
override H: u32 = 1u;
override W: u32 = 1u;
override CO: u32 = 1u;
override OH: u32 = 1u;
override OW: u32 = 1u;
override KH: u32 = 1u;
override KW: u32 = 1u;
override SH: u32 = 1u;
override SW: u32 = 1u;
override PH: u32 = 0u;
override PW: u32 = 0u;
override HAS_BIAS: bool = true;

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= R * B * CO * OH * OW) {
    return;
  }
  let ox = i % OW;
  let oy = (i / OW) % OH;
  let co = (i / (OW * OH)) % CO;
  let rb = i / (OW * OH * CO);
  let r = rb / B;
  let b = rb % B;
  let inBase = o.inOff + r * o.inRS + b * (CI * H * W);
  let wBase = r * o.P + o.wOff + co * (CI * KH * KW);
  var acc: f32 = 0.0;
  if (HAS_BIAS) {
    acc = params[r * o.P + o.bOff + co];
  }
  for (var ci = 0u; ci < CI; ci++) {
    for (var ki = 0u; ki < KH; ki++) {
      let y = i32(oy * SH + ki) - i32(PH);
      if (y < 0 || y >= i32(H)) {
        continue;
      }
      for (var kj = 0u; kj < KW; kj++) {
        let x = i32(ox * SW + kj) - i32(PW);
        if (x < 0 || x >= i32(W)) {
          continue;
        }
        acc += params[wBase + (ci * KH + ki) * KW + kj] * inp[inBase + (ci * H + u32(y)) * W + u32(x)];
      }
    }
  }
  outZ[i] = acc;
  if (FUSE_ACT) {
    outA[i] = act(acc);
  }
}

@compute @workgroup_size(WG)
fn backward_data(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let m = flat_index(gid, nwg);
  if (m >= R * B * CI * H * W) {
    return;
  }
  let x = m % W;
  let y = (m / W) % H;
  let ci = (m / (W * H)) % CI;
  let rb = m / (W * H * CI);
  let r = rb / B;
  let dBase = rb * (CO * OH * OW);
  var acc: f32 = 0.0;
  for (var ki = 0u; ki < KH; ki++) {
    // Output row oy reads input row y at kernel row ki when oy * SH = y + PH - ki.
    let ty = i32(y + PH) - i32(ki);
    if (ty < 0 || ty % i32(SH) != 0 || u32(ty) / SH >= OH) {
      continue;
    }
    let oy = u32(ty) / SH;
    for (var kj = 0u; kj < KW; kj++) {
      let tx = i32(x + PW) - i32(kj);
      if (tx < 0 || tx % i32(SW) != 0 || u32(tx) / SW >= OW) {
        continue;
      }
      let ox = u32(tx) / SW;
      for (var co = 0u; co < CO; co++) {
        let w = params[r * o.P + o.wOff + ((co * CI + ci) * KH + ki) * KW + kj];
        acc += w * dOut[dBase + (co * OH + oy) * OW + ox];
      }
    }
  }
  if (PREV_ACT) {
    acc *= act_grad(zPrev[m]);
  }
  dIn[m] = acc;
}

@compute @workgroup_size(WG)
fn backward_weights(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let g = flat_group(wid, nwg);
  let nw = CI * KH * KW;
  let cols = nw + 1u; // the last column of each output channel is its bias
  if (g >= R * CO * cols) {
    return;
  }
  let k = g % cols;
  let co = (g / cols) % CO;
  let r = g / (cols * CO);
  let isBias = k == nw;
  if (isBias && !HAS_BIAS) {
    return;
  }
  let kj = k % KW;
  let ki = (k / KW) % KH;
  let ci = k / (KW * KH);
  let n = B * OH * OW;
  var acc: f32 = 0.0;
  for (var t = lid; t < n; t += WG) {
    let ox = t % OW;
    let oy = (t / OW) % OH;
    let b = t / (OW * OH);
    let d = dOut[((r * B + b) * CO + co) * (OH * OW) + oy * OW + ox];
    if (isBias) {
      acc += d;
    } else {
      let y = i32(oy * SH + ki) - i32(PH);
      let x = i32(ox * SW + kj) - i32(PW);
      if (y >= 0 && y < i32(H) && x >= 0 && x < i32(W)) {
        acc += d * inp[o.inOff + r * o.inRS + b * (CI * H * W) + (ci * H + u32(y)) * W + u32(x)];
      }
    }
  }
  // The workgroup's sum (wg_sum: the workgroupReduce snippet of cnn_gpu_kernels.ts, a fixed tree).
  let total = wg_sum(lid, acc);
  if (lid == 0u) {
    if (isBias) {
      grads[r * o.P + o.bOff + co] = total;
    } else {
      grads[r * o.P + o.wOff + co * nw + k] = total;
    }
  }
}
