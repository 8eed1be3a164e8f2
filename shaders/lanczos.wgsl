// Lanczos with full reorthogonalisation for a population of R runs (P floats each), in f32, the
// operator applied by the caller between iterations (Hessian-vector products in the trainer, a
// dense test matrix in the oracle test). Each run keeps its own basis q[r][0..M) on the device; the
// runs step together but stop at their own iteration (active flag), and the small tridiagonal
// problem is solved here, one thread per run, so nothing is read back until the end.
//
// Per iteration, with u = q_J (J = steps done) and the caller's w = A u:
//   lz_dots + lz_sub, twice: c_t = q_t . w for t <= J, w <- w - sum_t c_t q_t; alpha_J = c_J of both
//   lz_ritz: beta_J = |w|; Ritz values of T_{J+1} by implicit QL (last eigenvector row only), the
//            residuals beta_J |e_J^T y|; stop on the tolerance, a breakdown or the step budget
//   lz_next: q_{J+1} = u = w / beta_J for runs still active
// or all of that as one dispatch, lz_step (the fused step: shaders/lanczos_fused.wgsl, appended to
// this module).
// At the end lz_final solves T_J again with the whole eigenvector matrix and lz_form writes the top
// Ritz vector Q y into u; with K > 1 also the unit vector along the sum of the top K Ritz vectors
// (each signed so that y[0] >= 0, as lanczosTop's span) into wv, the next estimate's start (lz_start
// takes wv when it is non-zero, else u); lz_report copies the top pair into the caller's record.
// The coefficients c hold 2M floats per run: the Gram-Schmidt dots / the top Ritz coordinates, then
// the coordinates of that sum.
//
// Per-run state st[r * LS + k]: [0, 32) alpha, [32, 64) beta, 64 J (steps done), 65 active,
//   66 converged, 67 invariant (breakdown or a complete basis), 68 scale (largest |A q| seen),
//   69 |A q_J|^2 of the current product, 70 |u| at the start, [71, 76) the top Ritz values, most
//   positive first, [76, 81) their residuals, 81 |wv| at the start (K > 1; 0 otherwise).

// outStride / outHvps: the caller's per-run record that lz_report fills (value, residual, converged
// flag at 0, 1, 2; the product count at outHvps).
struct LzCfg {
  R: u32, P: u32, M: u32, K: u32, tol: f32, second: u32, steps: u32, outStride: u32,
  outHvps: u32, outMore: u32, _p1: u32, _p2: u32,
}

// Bindings: LANCZOS_IO in src/engine/metrics/lanczos_gpu.ts (cfg, u, w, q, c, st, z, out, wv). The
// workgroup sum lz_sum (kernel_io.ts workgroupReduce over vec2f, RWG threads) is composed in front.

const LS: u32 = 96u;
const S_ALPHA: u32 = 0u;
const S_BETA: u32 = 32u;
const S_J: u32 = 64u;
const S_ACTIVE: u32 = 65u;
const S_CONV: u32 = 66u;
const S_INV: u32 = 67u;
const S_SCALE: u32 = 68u;
const S_WSQ: u32 = 69u;
const S_UNORM: u32 = 70u;
const S_VALUES: u32 = 71u;
const S_RESID: u32 = 76u;
const S_WNORM: u32 = 81u;
// beta_J below BREAKDOWN times the largest |A q| seen ends a run as an invariant subspace. After two
// Gram-Schmidt passes in f32 the part of w left inside span(Q) is a few ulps of |A q| times the
// growth of a P-term f32 sum; 1e-5 (about 100 f32 ulps) sits above that for P up to ~1e6 and far
// below any residual the stop rule asks for, so a real breakdown is caught and noise is not.
const BREAKDOWN: f32 = 1e-5;
// Residuals below RESIDUAL_FLOOR times the largest |A q| count as converged whatever tol says: the
// f32 operator and basis cannot resolve more (tol = 0 then means "until round-off or the budget").
const RESIDUAL_FLOOR: f32 = 1e-5;
// QL deflation: an off-diagonal below one f32 ulp of its neighbouring diagonal is zero.
const QL_EPS: f32 = 1.1920929e-7;
const QL_MAX_SWEEPS: u32 = 60u;

override WG: u32 = 64u;
override RWG: u32 = 256u;

// The tridiagonal of the QL solve (at most 32 steps: LANCZOS_MAX_ITERS), per invocation.
var<private> td: array<f32, 32>;
var<private> te: array<f32, 32>;

fn lin(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

fn qi(r: u32, t: u32, i: u32) -> u32 {
  return (r * cfg.M + t) * cfg.P + i;
}

fn zi(r: u32, k: u32, i: u32) -> u32 {
  return (r * cfg.M + k) * cfg.M + i;
}

// Coefficient t of run r (t < 2M: see the header).
fn ci(r: u32, t: u32) -> u32 {
  return r * 2u * cfg.M + t;
}

// Per run: |u| -> st[70], and with K > 1 |wv| -> st[81]. One workgroup per run.
@compute @workgroup_size(RWG)
fn lz_norm(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wid.x;
  let span = cfg.K > 1u;
  var a: f32 = 0.0;
  var b: f32 = 0.0;
  for (var i = lid.x; i < cfg.P; i += RWG) {
    let x = u[r * cfg.P + i];
    a += x * x;
    if (span) {
      let y = wv[r * cfg.P + i];
      b += y * y;
    }
  }
  let s = lz_sum(lid.x, vec2f(a, b));
  if (lid.x == 0u) {
    st[r * LS + S_UNORM] = sqrt(s.x);
    st[r * LS + S_WNORM] = sqrt(s.y);
  }
}

// q_0 = wv / |wv| when K > 1 and wv is non-zero (a NaN norm fails the test), else u / |u| (e_0 when
// u is zero), written to the basis and back to u; the run's state reset (|u| and |wv| kept).
@compute @workgroup_size(WG)
fn lz_start(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = lin(gid, nwg);
  if (k >= cfg.R * cfg.P) { return; }
  let r = k / cfg.P;
  let i = k % cfg.P;
  let o = r * LS;
  let n = st[o + S_UNORM];
  let wn = st[o + S_WNORM];
  var v: f32 = select(0.0, 1.0, i == 0u);
  if (wn > 0.0) {
    v = wv[k] / wn;
  } else if (n > 0.0) {
    v = u[k] / n;
  }
  q[qi(r, 0u, i)] = v;
  u[k] = v;
  if (i == 0u) {
    for (var t = 0u; t < S_UNORM; t++) { st[o + t] = 0.0; }
    for (var t = S_VALUES; t < LS; t++) {
      if (t != S_WNORM) { st[o + t] = 0.0; }
    }
    st[o + S_ACTIVE] = 1.0;
  }
}

// c_t = q_t . w for the active runs' kept vectors t <= J; pass 0 also records |w|^2 (t = 0's group).
// Grid (vectors, runs): one workgroup per (t, r).
@compute @workgroup_size(RWG)
fn lz_dots(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = wid.x;
  let r = wid.y;
  let o = r * LS;
  let on = st[o + S_ACTIVE] != 0.0 && f32(t) <= st[o + S_J];
  var a: f32 = 0.0;
  var b: f32 = 0.0;
  if (on) {
    for (var i = lid.x; i < cfg.P; i += RWG) {
      let x = w[r * cfg.P + i];
      a += q[qi(r, t, i)] * x;
      b += x * x;
    }
  }
  let s = lz_sum(lid.x, vec2f(a, b));
  if (lid.x == 0u && on) {
    c[ci(r, t)] = s.x;
    if (cfg.second == 0u && t == 0u) { st[o + S_WSQ] = s.y; }
  }
}

// w <- w - sum_{t <= J} c_t q_t for active runs; alpha_J accumulates c_J (element 0's thread).
@compute @workgroup_size(WG)
fn lz_sub(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = lin(gid, nwg);
  if (k >= cfg.R * cfg.P) { return; }
  let r = k / cfg.P;
  let i = k % cfg.P;
  let o = r * LS;
  if (st[o + S_ACTIVE] == 0.0) { return; }
  let J = u32(st[o + S_J]);
  var s: f32 = 0.0;
  for (var t = 0u; t <= J; t++) { s += c[ci(r, t)] * q[qi(r, t, i)]; }
  w[k] -= s;
  if (i == 0u) { st[o + S_ALPHA + J] += c[ci(r, J)]; }
}

// Implicit QL with Wilkinson shifts on the n x n tridiagonal in td (diagonal) and te (te[i] couples
// i and i + 1): td becomes its eigenvalues; the rows k0..n-1 of the eigenvector matrix (z, run r,
// column i the eigenvector of td[i]) are accumulated from the identity.
fn ql(r: u32, n: u32, k0: u32) {
  for (var k = k0; k < n; k++) {
    for (var i = 0u; i < n; i++) { z[zi(r, k, i)] = select(0.0, 1.0, k == i); }
  }
  te[n - 1u] = 0.0;
  for (var l = 0u; l < n; l++) {
    for (var sweep = 0u; sweep < QL_MAX_SWEEPS; sweep++) {
      var m = l;
      while (m + 1u < n) {
        let dd = abs(td[m]) + abs(td[m + 1u]);
        if (abs(te[m]) <= QL_EPS * dd) { break; }
        m++;
      }
      if (m == l) { break; }
      var g = (td[l + 1u] - td[l]) / (2.0 * te[l]);
      var rr = length(vec2f(g, 1.0));
      g = td[m] - td[l] + te[l] / (g + select(-rr, rr, g >= 0.0));
      var s: f32 = 1.0;
      var cs: f32 = 1.0;
      var p: f32 = 0.0;
      var underflow = false;
      for (var ii = i32(m) - 1; ii >= i32(l); ii--) {
        let i = u32(ii);
        let f = s * te[i];
        let b = cs * te[i];
        rr = length(vec2f(f, g));
        te[i + 1u] = rr;
        if (rr == 0.0) {
          td[i + 1u] -= p;
          te[m] = 0.0;
          underflow = true;
          break;
        }
        s = f / rr;
        cs = g / rr;
        g = td[i + 1u] - p;
        rr = (td[i] - g) * s + 2.0 * cs * b;
        p = s * rr;
        td[i + 1u] = g + p;
        g = cs * rr - b;
        for (var k = k0; k < n; k++) {
          let fz = z[zi(r, k, i + 1u)];
          let zk = z[zi(r, k, i)];
          z[zi(r, k, i + 1u)] = s * zk + cs * fz;
          z[zi(r, k, i)] = cs * zk - s * fz;
        }
      }
      if (underflow) { continue; }
      td[l] -= p;
      te[l] = g;
      te[m] = 0.0;
    }
  }
}

// T_n of run r into td / te.
fn load_t(o: u32, n: u32) {
  for (var i = 0u; i < n; i++) {
    td[i] = st[o + S_ALPHA + i];
    te[i] = select(0.0, st[o + S_BETA + i], i + 1u < n);
  }
}

// The index of the largest td[0..n) not yet taken (bit i of `taken`).
fn top_index(n: u32, taken: u32) -> u32 {
  var best = n;
  for (var i = 0u; i < n; i++) {
    if ((taken & (1u << i)) != 0u) { continue; }
    if (best == n || td[i] > td[best]) { best = i; }
  }
  return best;
}

// Run r's step after its Gram-Schmidt passes, given beta_J = |w|: the scale, beta_J, the Ritz values
// and residuals of T_{J+1}, the stop rule and J + 1 (thread 0 of the run's workgroup, active runs).
// Returns whether the run is still active.
fn ritz(r: u32, beta: f32) -> bool {
  let o = r * LS;
  let n = u32(st[o + S_J]) + 1u;
  let scale = max(st[o + S_SCALE], sqrt(st[o + S_WSQ]));
  st[o + S_SCALE] = scale;
  st[o + S_BETA + n - 1u] = beta;
  st[o + S_J] = f32(n);
  load_t(o, n);
  ql(r, n, n - 1u);
  let kk = min(cfg.K, n);
  var taken = 0u;
  var met = n >= cfg.K;
  for (var j = 0u; j < kk; j++) {
    let i = top_index(n, taken);
    taken |= 1u << i;
    let res = beta * abs(z[zi(r, n - 1u, i)]);
    st[o + S_VALUES + j] = td[i];
    st[o + S_RESID + j] = res;
    met = met && res <= max(cfg.tol * abs(td[i]), RESIDUAL_FLOOR * scale);
  }
  let invariant = beta <= BREAKDOWN * scale || n == cfg.P;
  if (invariant) {
    st[o + S_INV] = 1.0;
    st[o + S_CONV] = select(0.0, 1.0, n >= cfg.K);
    st[o + S_ACTIVE] = 0.0;
    return false;
  }
  if (met) {
    st[o + S_CONV] = 1.0;
    st[o + S_ACTIVE] = 0.0;
    return false;
  }
  if (n >= cfg.steps) {
    st[o + S_ACTIVE] = 0.0;
    return false;
  }
  return true;
}

// beta_J = |w|, then ritz (thread 0, active runs). One workgroup per run.
@compute @workgroup_size(RWG)
fn lz_ritz(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wid.x;
  var a: f32 = 0.0;
  for (var i = lid.x; i < cfg.P; i += RWG) {
    let x = w[r * cfg.P + i];
    a += x * x;
  }
  let s = lz_sum(lid.x, vec2f(a, 0.0));
  if (lid.x != 0u || st[r * LS + S_ACTIVE] == 0.0) { return; }
  ritz(r, sqrt(s.x));
}

// q_J = u = w / beta_{J-1} for the runs still active.
@compute @workgroup_size(WG)
fn lz_next(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = lin(gid, nwg);
  if (k >= cfg.R * cfg.P) { return; }
  let r = k / cfg.P;
  let i = k % cfg.P;
  let o = r * LS;
  if (st[o + S_ACTIVE] == 0.0) { return; }
  let J = u32(st[o + S_J]);
  let v = w[k] / st[o + S_BETA + J - 1u];
  q[qi(r, J, i)] = v;
  u[k] = v;
}

// The top Ritz vector's coordinates y (T_J solved again, every eigenvector row) into c[0, M), and
// with K > 1 those of the unit sum of the top min(K, J) Ritz vectors, each signed so that its y[0]
// >= 0, into c[M, 2M). One thread per run.
@compute @workgroup_size(64)
fn lz_final(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= cfg.R) { return; }
  let o = r * LS;
  let n = u32(st[o + S_J]);
  if (n == 0u) { return; }
  load_t(o, n);
  ql(r, n, 0u);
  let top = top_index(n, 0u);
  for (var t = 0u; t < cfg.M; t++) {
    c[ci(r, t)] = select(0.0, z[zi(r, t, top)], t < n);
  }
  if (cfg.K <= 1u) { return; }
  for (var t = 0u; t < cfg.M; t++) { c[ci(r, cfg.M + t)] = 0.0; }
  let m = min(cfg.K, n);
  var taken = 0u;
  for (var j = 0u; j < m; j++) {
    let i = top_index(n, taken);
    taken |= 1u << i;
    let sign = select(1.0, -1.0, z[zi(r, 0u, i)] < 0.0) / sqrt(f32(m));
    for (var t = 0u; t < n; t++) { c[ci(r, cfg.M + t)] += sign * z[zi(r, t, i)]; }
  }
}

// u = Q y, the top Ritz vector, and with K > 1 wv = the unit sum (unit to f32 round-off: Q is
// orthonormal, y a unit vector and the signed eigenvectors summed are orthonormal).
@compute @workgroup_size(WG)
fn lz_form(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = lin(gid, nwg);
  if (k >= cfg.R * cfg.P) { return; }
  let r = k / cfg.P;
  let i = k % cfg.P;
  let n = u32(st[r * LS + S_J]);
  if (n == 0u) { return; }
  var v: f32 = 0.0;
  var sv: f32 = 0.0;
  for (var t = 0u; t < n; t++) {
    let x = q[qi(r, t, i)];
    v += c[ci(r, t)] * x;
    sv += c[ci(r, cfg.M + t)] * x;
  }
  u[k] = v;
  if (cfg.K > 1u) { wv[k] = sv; }
}

// The top Ritz value, its residual, the converged flag and the product count into out's record of
// each run, and with outMore > 0 the Ritz values 2..K at outMore, outMore + 1, ... One thread per run.
@compute @workgroup_size(64)
fn lz_report(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= cfg.R) { return; }
  let o = r * LS;
  let d = r * cfg.outStride;
  out[d] = st[o + S_VALUES];
  out[d + 1u] = st[o + S_RESID];
  out[d + 2u] = st[o + S_CONV];
  out[d + cfg.outHvps] = st[o + S_J];
  if (cfg.outMore > 0u) {
    for (var j = 1u; j < cfg.K; j++) { out[d + cfg.outMore + j - 1u] = st[o + S_VALUES + j]; }
  }
}
