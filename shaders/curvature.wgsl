// Curvature probes for a population of R runs (P floats each), built on Hessian-vector products by
// central differences of the mean-loss gradient: H u ~ ||u|| (g(base + h u^) - g(base - h u^)) / (2h),
// u^ = u / ||u||. The two gradients are evaluated as 2R "runs" of the MLP graph: pert[0..R) holds
// base + h u^, pert[R..2R) holds base - h u^, and their gradients land in gpm in the same layout.
//
// The top eigenvalue (sharpness, preconditioned sharpness) is computed by Lanczos on these products
// (shaders/lanczos.wgsl, driven by src/engine/metrics/curvature_gpu.ts): `start` and `start_flags`
// prepare its start vector and record, perturb / graph / combine_w apply the operator, and Lanczos'
// report fills the record.
//
// Per-run scalars sc[r * SC + k]:
//   0 top eigenvalue (top Ritz value)  1 its residual |H v - lambda v|  2 converged flag
//   4 ||dir||  5 u.w   6 w.w  7 trace accumulator (sum_k z.Hz)  8 Frobenius accumulator (sum_k ||Hz||^2)
//   11 g.v (gradient-eigenvector dot)  12 ||g||^2  13 Hessian-vector products used (Lanczos steps)
//   16..19 the Ritz values 2..k of a sharpness record (metrics.sharpness.k; valid below the product count)
// Per-run parameters of this step slot, prm[(slot * R + r) * 8 + k] (u32 words; floats stored as bit patterns): 0 h (finite-
//   difference step), 1 unused, 2 D scale (preconditioner: D_i = s * (sqrt(vs * v_i) + eps)), 3 vs,
//   4 eps, 5 the run's seed (u32).

struct Cfg { R: u32, P: u32, mode: u32, stateOffset: u32, sample: u32, samples: u32, _p0: u32, _p1: u32 }

// Bindings: CURVATURE_IO in src/engine/metrics/curvature_gpu.ts (cfg, base, u, w, pert, gpm, sc,
// aux, prm; group 1 the step's StepInfo record, stp). The PRNG and the workgroup sum reduce_pair
// (kernel_io.ts workgroupReduce over vec2f, RWG threads) are snippets composed in front.

const SC: u32 = 20u;
override WG: u32 = 64u;
override RWG: u32 = 256u;

fn pw(r: u32, k: u32) -> u32 {
  return prm[(stp.slot * cfg.R + r) * 8u + k];
}

fn pf(r: u32, k: u32) -> f32 {
  return bitcast<f32>(pw(r, k));
}

fn lin(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// Preconditioner factor d_i^(-1/2) for run r, coordinate i (aux holds the optimizer state).
fn dinv(r: u32, i: u32) -> f32 {
  let s = pf(r, 2u);
  let vs = pf(r, 3u);
  let eps = pf(r, 4u);
  let d = s * (sqrt(vs * max(aux[cfg.stateOffset + r * cfg.P + i], 0.0)) + eps);
  return inverseSqrt(d);
}

// Direction actually probed for element i: u, or D^-1/2 u in preconditioned mode (mode 1).
fn dir_at(r: u32, i: u32) -> f32 {
  let k = r * cfg.P + i;
  if (cfg.mode == 1u) {
    return u[k] * dinv(r, i);
  }
  return u[k];
}

// Per run: ||dir||^2 -> sc[4] (as a norm). One workgroup per run.
@compute @workgroup_size(RWG)
fn dir_norm(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wid.x;
  var a: f32 = 0.0;
  for (var i = lid.x; i < cfg.P; i += RWG) {
    let x = dir_at(r, i);
    a += x * x;
  }
  let sums = reduce_pair(lid.x, vec2f(a, 0.0));
  if (lid.x == 0u) { sc[r * SC + 4u] = sqrt(sums.x); }
}

// pert[r] = base[r] + h dir^, pert[R + r] = base[r] - h dir^.
@compute @workgroup_size(WG)
fn perturb(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = lin(gid, nwg);
  if (k >= cfg.R * cfg.P) { return; }
  let r = k / cfg.P;
  let i = k % cfg.P;
  let n = sc[r * SC + 4u];
  let h = pf(r, 0u);
  var step: f32 = 0.0;
  if (n > 0.0) { step = h * dir_at(r, i) / n; }
  pert[k] = base[k] + step;
  pert[cfg.R * cfg.P + k] = base[k] - step;
}

// w = H dir, in preconditioned mode D^-1/2 H D^-1/2 u; then per-run dots u.w, w.w into
// sc[5], sc[6]. One workgroup per run. mode 2 (Hutchinson) also accumulates the trace and Frobenius sums.
@compute @workgroup_size(RWG)
fn combine(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wid.x;
  let n = sc[r * SC + 4u];
  let h = pf(r, 0u);
  var a: f32 = 0.0;
  var b: f32 = 0.0;
  for (var i = lid.x; i < cfg.P; i += RWG) {
    let k = r * cfg.P + i;
    var hv = n * (gpm[k] - gpm[cfg.R * cfg.P + k]) / (2.0 * h);
    if (cfg.mode == 1u) { hv *= dinv(r, i); }
    w[k] = hv;
    a += u[k] * hv;
    b += hv * hv;
  }
  let sums = reduce_pair(lid.x, vec2f(a, b));
  if (lid.x == 0u) {
    sc[r * SC + 5u] = sums.x;
    sc[r * SC + 6u] = sums.y;
    if (cfg.mode == 2u) {
      sc[r * SC + 7u] += sums.x;
      sc[r * SC + 8u] += sums.y;
    }
  }
}

// combine without the dots, for Lanczos products (the Lanczos kernels take their own dots): the same
// w, one thread per element instead of one workgroup per run.
@compute @workgroup_size(WG)
fn combine_w(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = lin(gid, nwg);
  if (k >= cfg.R * cfg.P) { return; }
  let r = k / cfg.P;
  let i = k % cfg.P;
  var hv = sc[r * SC + 4u] * (gpm[k] - gpm[cfg.R * cfg.P + k]) / (2.0 * pf(r, 0u));
  if (cfg.mode == 1u) { hv *= dinv(r, i); }
  w[k] = hv;
}

// Start of a top-eigenvalue measurement: normalise u (warm start) or, when ||u|| = 0 or is not
// finite, seed it with a unit Rademacher probe (the CPU's startProbe).
@compute @workgroup_size(WG)
fn start(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = lin(gid, nwg);
  if (k >= cfg.R * cfg.P) { return; }
  let r = k / cfg.P;
  let i = k % cfg.P;
  let o = r * SC;
  let n = sc[o + 4u];
  let z = rngRademacher(pw(r, 5u), STREAM_PROBE, stp.t * cfg.P + i);
  if (n > 0.0) {
    u[k] = u[k] / n;
  } else {
    u[k] = z * inverseSqrt(f32(cfg.P));
  }
}

// Reset a run's record (one thread per run); ||dir|| = 1 for the unit vectors Lanczos probes.
@compute @workgroup_size(64)
fn start_flags(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= cfg.R) { return; }
  let o = r * SC;
  for (var k = 0u; k < SC; k++) { sc[o + k] = 0.0; }
  sc[o + 4u] = 1.0;
}

// Fill u with a Rademacher probe (mode 2: Hutchinson sample cfg.sample) or with base - aux
// (mode 4: the last update theta_s - theta_{s-1}).
@compute @workgroup_size(WG)
fn fill_dir(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = lin(gid, nwg);
  if (k >= cfg.R * cfg.P) { return; }
  let r = k / cfg.P;
  let i = k % cfg.P;
  if (cfg.mode == 2u) {
    let ctr = ((stp.t * cfg.samples + cfg.sample) * cfg.P + i);
    u[k] = rngRademacher(pw(r, 5u), STREAM_PROBE, ctr);
  } else {
    u[k] = base[k] - aux[k];
  }
}

// Gradient-eigenvector agreement: sc[11] = g.u, sc[12] = g.g with g bound as `base`. One workgroup per run.
@compute @workgroup_size(RWG)
fn gdot(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wid.x;
  var a: f32 = 0.0;
  var b: f32 = 0.0;
  for (var i = lid.x; i < cfg.P; i += RWG) {
    let g = base[r * cfg.P + i];
    a += g * u[r * cfg.P + i];
    b += g * g;
  }
  let sums = reduce_pair(lid.x, vec2f(a, b));
  if (lid.x == 0u) {
    sc[r * SC + 11u] = sums.x;
    sc[r * SC + 12u] = sums.y;
  }
}
