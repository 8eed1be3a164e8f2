// Max and average pooling (no padding) for a population of runs, per channel:
//   out[r,b,c,oy,ox] = max / mean over i < KH, j < KW of in[r,b,c, oy*SH + i, ox*SW + j].
// Entry points:
//   forward        one invocation per output value.
//   backward_data  one invocation per input value, gathering from every window that holds it (no
//                  atomics). Max: a window's gradient goes to its FIRST maximal element in row-major
//                  window order (the CPU oracle's rule). Avg: dOut / (KH * KW) to every element.
//                  Times act'(zPrev) when PREV_ACT.
// PAIRED (curvature graphs, runs [0, R/2) = theta + h v and [R/2, R) = theta - h v): a max window's
// argmax is taken on the midpoint (in(r) + in(partner)) / 2 in both halves, so both gradients are
// those of the same piecewise-linear network (the max-pool analogue of relu_pair_mask.wgsl).

// Bindings (roles of CNN_ROLES, per entry point): CNN_POOL_IO in src/engine/model/cnn_gpu_kernels.ts.

override C: u32 = 1u;
override H: u32 = 1u;
override W: u32 = 1u;
override OH: u32 = 1u;
override OW: u32 = 1u;
override KH: u32 = 1u;
override KW: u32 = 1u;
override SH: u32 = 1u;
override SW: u32 = 1u;
override MAX: bool = true;
override PAIRED: bool = false;

// The value argmax compares: the input, or with PAIRED its midpoint with the partner run's (pd floats away).
fn pool_key(k: u32, pd: i32) -> f32 {
  if (PAIRED) {
    return 0.5 * (inp[k] + inp[u32(i32(k) + pd)]);
  }
  return inp[k];
}

// Offset from run r's input to its partner run's (PAIRED only; 0 when the input is shared data).
fn partner_delta(r: u32) -> i32 {
  let half = R / 2u;
  let pr = select(r + half, r - half, r >= half);
  return (i32(pr) - i32(r)) * i32(o.inRS);
}

// Row-major position (i * KW + j) of the first maximal element of the window whose top-left input
// value is inp[start].
fn window_argmax(start: u32, pd: i32) -> u32 {
  var best = 0u;
  var bv = pool_key(start, pd);
  for (var i = 0u; i < KH; i++) {
    for (var j = 0u; j < KW; j++) {
      let v = pool_key(start + i * W + j, pd);
      if (v > bv) {
        bv = v;
        best = i * KW + j;
      }
    }
  }
  return best;
}

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= R * B * C * OH * OW) {
    return;
  }
  let ox = i % OW;
  let oy = (i / OW) % OH;
  let c = (i / (OW * OH)) % C;
  let rb = i / (OW * OH * C);
  let r = rb / B;
  let b = rb % B;
  let start = o.inOff + r * o.inRS + b * (C * H * W) + (c * H + oy * SH) * W + ox * SW;
  if (MAX) {
    let best = window_argmax(start, partner_delta(r));
    outZ[i] = inp[start + (best / KW) * W + best % KW];
    return;
  }
  var acc: f32 = 0.0;
  for (var a = 0u; a < KH; a++) {
    for (var e = 0u; e < KW; e++) {
      acc += inp[start + a * W + e];
    }
  }
  outZ[i] = acc / f32(KH * KW);
}

@compute @workgroup_size(WG)
fn backward_data(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let m = flat_index(gid, nwg);
  if (m >= R * B * C * H * W) {
    return;
  }
  let x = m % W;
  let y = (m / W) % H;
  let c = (m / (W * H)) % C;
  let rb = m / (W * H * C);
  let r = rb / B;
  let b = rb % B;
  let plane = o.inOff + r * o.inRS + b * (C * H * W) + c * H * W;
  let dBase = (rb * C + c) * (OH * OW);
  var acc: f32 = 0.0;
  for (var ki = 0u; ki < KH; ki++) {
    // Window row oy holds input row y at window row ki when oy * SH = y - ki.
    let ty = i32(y) - i32(ki);
    if (ty < 0 || ty % i32(SH) != 0 || u32(ty) / SH >= OH) {
      continue;
    }
    let oy = u32(ty) / SH;
    for (var kj = 0u; kj < KW; kj++) {
      let tx = i32(x) - i32(kj);
      if (tx < 0 || tx % i32(SW) != 0 || u32(tx) / SW >= OW) {
        continue;
      }
      let ox = u32(tx) / SW;
      let d = dOut[dBase + oy * OW + ox];
      if (MAX) {
        if (window_argmax(plane + oy * SH * W + ox * SW, partner_delta(r)) == ki * KW + kj) {
          acc += d;
        }
      } else {
        acc += d;
      }
    }
  }
  if (!MAX) {
    acc = acc / f32(KH * KW);
  }
  if (PREV_ACT) {
    acc *= act_grad(zPrev[m]);
  }
  dIn[m] = acc;
}
