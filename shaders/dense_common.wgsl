// Shared by the dense kernels (mlp_forward.wgsl, mlp_backward.wgsl): the DENSE_COMMON snippet of
// src/engine/model/mlp_gpu_kernels.ts, which wgslSource puts in front of each. It uses names every
// such kernel declares: the uniform `o` (Offsets) and the `idx` binding (mlpForwardIo,
// mlpBackwardIo there) and the constants B, IN, IN_MODE, IDX_PER_RUN (WGSL resolves module-scope
// names in any order).

// Offset of example b's input row (in the previous activations for mode 0, in the data X otherwise).
fn in_base(r: u32, b: u32) -> u32 {
  if (IN_MODE == 0u) {
    return (r * B + b) * IN;
  }
  if (IN_MODE == 1u) {
    return idx[select(0u, r, IDX_PER_RUN) * B + b] * IN;
  }
  return (o.rowOffset + b) * IN;
}
