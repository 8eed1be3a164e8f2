// Dense layer forward for a population: Z[r,b,j] = b[r,j] + sum_k W[r,j,k] * in[r,b,k], A = act(Z).
// Parameters of run r start at r * P; W is [out, in].
// Register-tiled: one thread computes a TB x TJ tile (examples x output units) of one run, so each
// weight and input it loads is used TB or TJ times. Tiles at the edges clamp their loads to the
// last row/unit and store only the elements inside [0, B) x [0, OUT), so every shape works. Each
// element's sum runs over k in order starting from the bias, exactly as an untiled kernel would.
// This file is a template: the "//#each" lines are unrolled and TB, TJ defined by
// src/engine/webgpu/unroll.ts (a tile element must be its own variable to stay in registers).
// Shapes are override constants; the modes (IN_MODE, IS_LAST, STORE_Z) are //#if switches of the
// template (see src/engine/webgpu/unroll.ts for why). Without STORE_Z a hidden layer writes only A
// (src/engine/model/mlp_gpu.ts says when Z is not needed). Input modes: 0 = previous activations [R, B, IN];
// 1 = data rows X[idx[r', b]] (minibatch; r' = r when indices are per run, else 0);
// 2 = data rows X[rowOffset + b] (full batch / evaluation chunk).

struct Offsets { P: u32, wOff: u32, bOff: u32, rowOffset: u32 }

// Bindings (o: Offsets, params, inActs, X, idx, outZ, outA): mlpForwardIo in
// src/engine/model/mlp_gpu_kernels.ts, which generates their declarations per variant. outZ is a
// fixed-size array (OUT_LEN = R * B * OUT) with STORE_Z, outA one unless IS_LAST: on SwiftShader
// stores to a fixed-size array are cheaper than to a runtime-sized one (docs/performance.md).

override WG: u32 = 64u;
override R: u32 = 1u;
override B: u32 = 1u;
override IN: u32 = 1u;
override OUT: u32 = 1u;
override IDX_PER_RUN: bool = false;
override HAS_BIAS: bool = true;

// in_base(r, b): shaders/dense_common.wgsl.

fn bias(r: u32, j: u32) -> f32 {
  if (HAS_BIAS) {
    return params[r * o.P + o.bOff + j];
  }
  return 0.0;
}

// With FULL_TILES (B and OUT multiples of the tile) every tile lies inside the shape: no test.
fn store(r: u32, b: u32, j: u32, z: f32) {
//#if FULL_TILES
  {
//#else
  if (b < B && j < OUT) {
//#endif
    let i = (r * B + b) * OUT + j;
//#if STORE_Z
    outZ[i] = z;
//#endif
//#if !IS_LAST
    outA[i] = act(z);
//#endif
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  let nJ = (OUT + TJ - 1u) / TJ;
  let nB = (B + TB - 1u) / TB;
  if (i >= R * nB * nJ) {
    return;
  }
  let j0 = (i % nJ) * TJ;
  let rb = i / nJ;
  let b0 = (rb % nB) * TB;
  let r = rb / nB;
  //#each v<TJ: let w{v} = r * o.P + o.wOff + min(j0 + {v}u, OUT - 1u) * IN;
  //#each u<TB: let x{u} = in_base(r, min(b0 + {u}u, B - 1u));
  //#each v<TJ: let c{v} = bias(r, min(j0 + {v}u, OUT - 1u));
  //#each u<TB, v<TJ: var a{u}_{v} = c{v};
  for (var k: u32 = 0u; k < IN; k++) {
    //#each v<TJ: let pw{v} = params[w{v} + k];
//#if IN_MODE == 0
    //#each u<TB: let px{u} = inActs[x{u} + k];
//#else
    //#each u<TB: let px{u} = X[x{u} + k];
//#endif
    //#each u<TB, v<TJ: a{u}_{v} += pw{v} * px{u};
  }
  //#each u<TB, v<TJ: store(r, b0 + {u}u, j0 + {v}u, a{u}_{v});
}
