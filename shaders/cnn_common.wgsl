// Shared declarations of the convolutional-model kernels (cnn_*.wgsl): the CNN_COMMON snippet of
// src/engine/model/cnn_gpu_kernels.ts, which wgslSource puts in front of each of them (after the
// ACTIVATIONS snippet).
//
// Population layout: activations [R][B][size] (one example's values are [C][H][W] row-major);
// parameters and gradients [R][P], run r at r * P. The input of an op is read through the uniform
// (inOff, inRS): value k of example b of run r is inp[inOff + r * inRS + b * inSize + k], so the first
// op can read data rows directly (inRS = 0: every run sees the same rows, inOff = first row * inSize)
// and later ops read the previous op's activations (inOff = 0, inRS = B * inSize).
// One binding number per role in every kernel, so the TS side binds them the same way: CNN_ROLES in
// src/engine/model/cnn_gpu_kernels.ts (o: Dims, params, inp, outZ, outA, dOut, zPrev, dIn, grads),
// of which each kernel file declares the ones its entry points use (CNN_*_IO there).

struct Dims {
  P: u32, wOff: u32, bOff: u32, inOff: u32,
  inRS: u32, _p0: u32, _p1: u32, _p2: u32,
}

override WG: u32 = 64u;
override R: u32 = 1u;
override B: u32 = 1u;
// Forward: also write act(out) to the post-activation binding.
override FUSE_ACT: bool = false;
// Backward data: multiply the input gradient by act'(zPrev) (the input is a fused act's output).
override PREV_ACT: bool = false;

// Flat 1-D invocation index (dispatches split over x and y; see dispatchSize in src/engine/webgpu/buffers.ts).
fn flat_index(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// Flat workgroup index (one workgroup per reduced value).
fn flat_group(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x;
}
