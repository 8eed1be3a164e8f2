// Hessian-vector products by central differences need the gradient to be smooth between
// theta - h v and theta + h v. ReLU's is not: where a pre-activation changes sign between the two
// points, the difference quotient picks up a jump of order 1/h. The curvature graph evaluates the
// two points as run halves [0, R/2) (+h) and [R/2, R) (-h); this kernel fixes each unit's ReLU mask
// to the sign of the midpoint pre-activation (z(+h) + z(-h)) / 2 (= z(theta) up to O(h^2)) for both
// halves, so both gradients are those of the same piecewise-linear network and their difference is
// the almost-everywhere Hessian at theta. It rewrites A = z * mask and stores the midpoint in zMid,
// which the backward pass then uses for act'(z) (= the same mask).

struct PairDims { R: u32, B: u32, OUT: u32, _p: u32 }

// Bindings (d: PairDims, Z, A, zMid): RELU_PAIR_MASK_IO in src/engine/model/mlp_gpu_kernels.ts.

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  let per = d.B * d.OUT;
  if (i >= d.R * per) {
    return;
  }
  let half = (d.R / 2u) * per;
  let other = select(i - half, i + half, i < half);
  let mid = 0.5 * (Z[i] + Z[other]);
  A[i] = select(0.0, Z[i], mid > 0.0);
  zMid[i] = mid;
}
