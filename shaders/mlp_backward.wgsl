// Dense layer backward for a population, all parts in one dispatch.
// Threads [0, nGrad): weight gradient, one TJ x TK tile (output units x inputs) of one run each:
//   grads[r, W[j,k]] = sum_b delta[r,b,j] * in[r,b,k]
// and, in the tiles of the first TK inputs (when the layer has a bias), the bias gradient from the
// same delta loads:
//   grads[r, b[j]]   = sum_b delta[r,b,j]
// Threads after that (when NEED_PREV): the previous layer's delta, one TB x TK tile (examples x
// inputs) of one run each:
//   deltaPrev[r,b,k] = act'(zPrev[r,b,k]) * sum_j delta[r,b,j] * W[r,j,k]
// delta is already d(mean batch loss)/dZ, so the sums over b give the mean gradient.
// With SCALED (per-example clipping), example b of run r is weighted by scale[r*B + b] and the
// result goes to the `grads` binding (bound to the clipped-gradient buffer by the caller).
// Register tiles as in mlp_forward.wgsl (edge tiles clamp their loads and store only inside the
// shape; each sum runs in the same order as an untiled kernel's). This file is a template for
// src/engine/webgpu/unroll.ts, which defines TB, TJ, TK and unrolls the "//#each" lines.
// Shapes are override constants. The modes (IN_MODE, input modes as in mlp_forward.wgsl; NEED_PREV;
// SCALED; PART) are //#if switches of the template, so a dispatch carries no code it never runs.
// PART 0 runs both parts in one dispatch (threads [0, nGrad) the weight gradient, the rest the
// previous delta); with PART 1 a dispatch runs only the weight gradient, with PART 2 only the
// previous delta (its threads numbered from 0), for populations large enough that each part alone
// keeps the cores busy (src/engine/model/mlp_gpu.ts, denseTuning.splitBackward).

struct Offsets { P: u32, wOff: u32, bOff: u32, rowOffset: u32 }

// Bindings (o: Offsets, params, delta, inActs, X, idx, zPrevOrScale, grads, deltaPrev):
// mlpBackwardIo in src/engine/model/mlp_gpu_kernels.ts, which generates their declarations per
// variant. Arrays that are written, and zPrevOrScale, have their lengths in the source where the
// variant uses them (GRAD_LEN; PREV_LEN with NEED_PREV): on SwiftShader a fixed-size array's
// accesses are cheaper than a runtime-sized one's (measured in docs/performance.md).

override WG: u32 = 64u;
override R: u32 = 1u;
override B: u32 = 1u;
override IN: u32 = 1u;
override OUT: u32 = 1u;
override IDX_PER_RUN: bool = false;
override HAS_BIAS: bool = true;

// in_base(r, b): shaders/dense_common.wgsl.

// FULL_GRAD (OUT, IN multiples of the tile) and FULL_PREV (B, IN): every tile inside the shape, no test.
fn store_grad(r: u32, j: u32, k: u32, g: f32) {
//#if FULL_GRAD
  {
//#else
  if (j < OUT && k < IN) {
//#endif
    grads[r * o.P + o.wOff + j * IN + k] = g;
  }
}

fn store_bias(r: u32, j: u32, g: f32) {
//#if FULL_GRAD
  {
//#else
  if (j < OUT) {
//#endif
    grads[r * o.P + o.bOff + j] = g;
  }
}

fn store_prev(r: u32, b: u32, k: u32, s: f32) {
//#if FULL_PREV
  {
//#else
  if (b < B && k < IN) {
//#endif
    let m = (r * B + b) * IN + k;
    deltaPrev[m] = s * act_grad(zPrevOrScale[m]);
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  let nJ = (OUT + TJ - 1u) / TJ;
  let nK = (IN + TK - 1u) / TK;
//#if PART == 2
  let nGrad = 0u;
//#else
  let nGrad = R * nJ * nK;
  if (i < nGrad) {
    let k0 = (i % nK) * TK;
    let rj = i / nK;
    let j0 = (rj % nJ) * TJ;
    let r = rj / nJ;
    //#each v<TJ: let jc{v} = min(j0 + {v}u, OUT - 1u);
    //#each t<TK: let kc{t} = min(k0 + {t}u, IN - 1u);
    //#each v<TJ, t<TK: var g{v}_{t}: f32 = 0.0;
    //#each v<TJ: var gb{v}: f32 = 0.0;
    for (var b = 0u; b < B; b++) {
      let dBase = (r * B + b) * OUT;
      let xBase = in_base(r, b);
//#if SCALED
      let s = zPrevOrScale[r * B + b];
      //#each v<TJ: let d{v} = delta[dBase + jc{v}] * s;
//#else
      //#each v<TJ: let d{v} = delta[dBase + jc{v}];
//#endif
//#if IN_MODE == 0
      //#each t<TK: let x{t} = inActs[xBase + kc{t}];
//#else
      //#each t<TK: let x{t} = X[xBase + kc{t}];
//#endif
      //#each v<TJ, t<TK: g{v}_{t} += d{v} * x{t};
      //#each v<TJ: gb{v} += d{v};
    }
    //#each v<TJ, t<TK: store_grad(r, j0 + {v}u, k0 + {t}u, g{v}_{t});
    if (HAS_BIAS && k0 == 0u) {
      //#each v<TJ: store_bias(r, j0 + {v}u, gb{v});
    }
    return;
  }
//#endif
//#if NEED_PREV
//#if PART != 1
  let m = i - nGrad;
  let nB = (B + TB - 1u) / TB;
  if (m >= R * nB * nK) {
    return;
  }
  let k0 = (m % nK) * TK;
  let rb = m / nK;
  let b0 = (rb % nB) * TB;
  let r = rb / nB;
  //#each u<TB: let dr{u} = (r * B + min(b0 + {u}u, B - 1u)) * OUT;
  //#each t<TK: let wk{t} = r * o.P + o.wOff + min(k0 + {t}u, IN - 1u);
  //#each u<TB, t<TK: var p{u}_{t}: f32 = 0.0;
  for (var j = 0u; j < OUT; j++) {
    //#each u<TB: let d{u} = delta[dr{u} + j];
    //#each t<TK: let w{t} = params[wk{t} + j * IN];
    //#each u<TB, t<TK: p{u}_{t} += d{u} * w{t};
  }
  //#each u<TB, t<TK: store_prev(r, b0 + {u}u, k0 + {t}u, p{u}_{t});
//#endif
//#endif
}
