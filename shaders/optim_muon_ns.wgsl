// Muon's Newton–Schulz products (src/engine/optim/muon_gpu.ts): one batched matrix product per
// dispatch, out = alpha * addend + beta * lhs op(rhs) for every run, where lhs is m x k, op(rhs) is
// k x n (with TRANS_R the rhs is stored n x k, so X X^T reads X twice), addend and out are m x n,
// all row-major. Operand z of run r starts at dims.zOff + r * dims.zRs. The record `dims` (NsDims,
// group 1, a dynamic offset per dispatch) gives shapes, offsets, coefficients, the iteration and
// flags; the hyper slots come through the accessors generated from muon.ts's names.
// Bindings: NS_KERNEL_IO in muon_gpu.ts (hyperR, lhs, rhs, addend, out; dims).
//
// This file is a template (src/engine/webgpu/unroll.ts): one thread computes a TM x TN register tile
// of the output (8 x 8 on CPU-backed adapters, where a tile element must be its own variable to stay
// in a register; 1 x 1 on GPUs, as the dense kernels choose: model/dense_tuning.ts). Grid: x, y = blocks
// of WG tiles of one run (row-major over the tiles; y only past 65535 blocks), z = the run. Loads at the edges clamp to the
// last row or column and only elements inside m x n are stored, so any m, k, n works; every sum runs
// over k in order.
// A run skips the dispatch when the iteration is past its nsSteps, or when the matrix is the first
// or last and its adamFirstLast is on; with NS_COPY a skipping run copies the addend (its current X)
// to out, so every run's final X lands in the same buffer.

override HS: u32 = 1u; // floats per run in hyperR
override WG: u32 = 64u;
const NS_COPY: u32 = 1u;
const NS_END: u32 = 2u;

fn hp(r: u32, k: u32) -> f32 { return hyperR[r * HS + k]; }

// Whether run r does this dispatch's product.
fn runActive(r: u32) -> bool {
  if (f32(dims.iter) >= hp_nsSteps(r)) { return false; }
  return !((dims.flags & NS_END) != 0u && hp_adamFirstLast(r) != 0.0);
}

// Element (i, j) of run r's output, from the product's sum (skipped outside the matrix).
fn put(r: u32, i: u32, j: u32, acc: f32) {
  if (i >= dims.m || j >= dims.n) { return; }
  let e = dims.eOff + r * dims.eRs + i * dims.n + j;
  var v = dims.beta * acc;
  if (dims.alpha != 0.0) { v = dims.alpha * addend[e] + v; }
  out[dims.oOff + r * dims.oRs + i * dims.n + j] = v;
}

// A skipping run's element (i, j): its addend, with NS_COPY.
fn carry(r: u32, i: u32, j: u32) {
  if (i >= dims.m || j >= dims.n) { return; }
  out[dims.oOff + r * dims.oRs + i * dims.n + j] = addend[dims.eOff + r * dims.eRs + i * dims.n + j];
}

@compute @workgroup_size(WG)
fn gemm(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
) {
  let r = wid.z;
  let nN = (dims.n + TN - 1u) / TN;
  let nM = (dims.m + TM - 1u) / TM;
  let t = (wid.y * nwg.x + wid.x) * WG + lid.x;
  if (t >= nM * nN) { return; }
  let i0 = (t / nN) * TM;
  let j0 = (t % nN) * TN;
  if (!runActive(r)) {
    if ((dims.flags & NS_COPY) != 0u) {
      //#each u<TM, v<TN: carry(r, i0 + {u}u, j0 + {v}u);
    }
    return;
  }
  let K = dims.k;
  let lBase = dims.lOff + r * dims.lRs;
  let rBase = dims.rOff + r * dims.rRs;
  //#each u<TM: let l{u} = lBase + min(i0 + {u}u, dims.m - 1u) * K;
//#if TRANS_R
  //#each v<TN: let c{v} = rBase + min(j0 + {v}u, dims.n - 1u) * K;
  let kStride = 1u;
//#else
  //#each v<TN: let c{v} = rBase + min(j0 + {v}u, dims.n - 1u);
  let kStride = dims.n;
//#endif
  //#each u<TM, v<TN: var a{u}_{v} = 0.0;
  for (var k = 0u; k < K; k++) {
    //#each u<TM: let x{u} = lhs[l{u} + k];
    //#each v<TN: let y{v} = rhs[c{v} + k * kStride];
    //#each u<TM, v<TN: a{u}_{v} += x{u} * y{v};
  }
  //#each u<TM, v<TN: put(r, i0 + {u}u, j0 + {v}u, a{u}_{v});
}
