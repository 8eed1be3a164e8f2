// Shampoo for a population (src/engine/optim/shampoo.ts): two dispatches per step.
//  1. factors (FACTORS): one workgroup per (factor, run). Accumulates the factor,
//     A <- beta2 A + w G G^T (left) or G^T G (right); on a refresh step it then replaces the
//     factor's inverse fourth root with the coupled Newton iteration's, run on
//     A / bc2 + eps ||A / bc2||_F I until max |M - I| <= TOL (at most MAX_IT iterations).
//  2. update (!FACTORS): one workgroup per (tensor, run). Advances the filtered gradient m (state
//     slot 0) and the grafting accumulator v (slot 1); a preconditioned weight steps along
//     Linv m_hat Rinv scaled to the norm of the grafting direction, other tensors along the
//     grafting direction m_hat / (sqrt(v / bc2) + eps).
// Bindings: SHAMPOO_IO in shampoo_gpu.ts (each entry point binds its subset). The tables:
//   tables[2k]      tensor k: (offset, rows, cols, 1 when preconditioned)
//   tables[2k + 1]  tensor k: (left factor's offset or NONE, right factor's offset or NONE, 0, 0)
//   tables[2NT + f] factor f: (n, offset in a run's block, tensor, side: 0 left, 1 right)
// A run's factors fill FR floats of `facs` (row-major, back to back) and its roots the same
// floats of `roots`; `newton` holds four n x n scratch matrices per factor (4 FR per run), `work`
// two P-float vectors per run (Linv m_hat, then the preconditioned direction).
// Hyperparameters and step scalars through hp_<name> / sc_<name> (generated from shampoo.ts).
// Every matrix product gives each thread TS x TS output tiles held in named registers (the
// "//#each" lines, unrolled by src/engine/webgpu/unroll.ts), summing over k in order.

override WG: u32 = 64u; // a power of two (tree reductions)
override R: u32;        // runs
override P: u32;        // floats per run
override FR: u32;       // factor floats per run
override NT: u32;       // tensors per run
override HS: u32;       // hyper floats per run
override MAX_IT: u32 = 40u;
override TOL: f32 = 1e-5;

const SS: u32 = 8u; // STEP_SCALARS
const NONE: u32 = 0xffffffffu;

fn hp(r: u32, k: u32) -> f32 { return hyperR[r * HS + k]; }
fn sc(r: u32, q: u32) -> f32 { return scalars[(step.slot * R + r) * SS + q]; }

var<workgroup> sharedPair: vec2f;
var<workgroup> sharedErr: f32;

//#if FACTORS
// Element k of row a of G (side 0: G[a][k]) or of G^T (side 1: G[k][a]), G the weight tn
// (offset, rows, cols) of run r.
fn gAt(r: u32, tn: vec4u, side: u32, a: u32, k: u32) -> f32 {
  let base = r * P + tn.x;
  if (side == 0u) { return grads[base + a * tn.z + k]; }
  return grads[base + k * tn.z + a];
}

// The factor at `at` (n x n) <- b2 factor + w G G^T (side 0) or G^T G (side 1), in TS x TS tiles
// of named registers per thread (rows and columns past n clamped on load, not stored).
fn accumulate(lid: u32, r: u32, tn: vec4u, side: u32, n: u32, at: u32, b2: f32, w: f32) {
  let len = select(tn.y, tn.z, side == 0u);
  let tpr = (n + TS - 1u) / TS;
  for (var tile = lid; tile < tpr * tpr; tile += WG) {
    let a0 = (tile / tpr) * TS;
    let b0 = (tile % tpr) * TS;
    //#each u<TS: let ac{u} = min(a0 + {u}u, n - 1u);
    //#each v<TS: let bc{v} = min(b0 + {v}u, n - 1u);
    //#each u<TS, v<TS: var c{u}_{v}: f32 = 0.0;
    for (var k = 0u; k < len; k++) {
      //#each u<TS: let x{u} = gAt(r, tn, side, ac{u}, k);
      //#each v<TS: let y{v} = gAt(r, tn, side, bc{v}, k);
      //#each u<TS, v<TS: c{u}_{v} += x{u} * y{v};
    }
    //#each u<TS, v<TS: addTo(at, n, a0 + {u}u, b0 + {v}u, b2, w, c{u}_{v});
  }
}

fn addTo(at: u32, n: u32, a: u32, b: u32, b2: f32, w: f32, v: f32) {
  if (a >= n || b >= n) { return; }
  facs[at + a * n + b] = b2 * facs[at + a * n + b] + w * v;
}

// Entry (i, j) of the scratch matrix at `at`, or of its Newton factor 1.25 I - 0.25 M when aff.
fn ent(at: u32, n: u32, i: u32, j: u32, aff: bool) -> f32 {
  let x = newton[at + i * n + j];
  if (aff) { return select(0.0, 1.25, i == j) - 0.25 * x; }
  return x;
}

// Store entry (i, j) of dst unless it lies outside the n x n matrix; returns |v - I_ij| (0 outside).
fn put(dst: u32, n: u32, i: u32, j: u32, v: f32) -> f32 {
  if (i >= n || j >= n) { return 0.0; }
  newton[dst + i * n + j] = v;
  return abs(v - select(0.0, 1.0, i == j));
}

// dst <- op(a) op(b) over the workgroup's threads, each computing TS x TS tiles of dst in named
// registers (TS from shampoo_gpu.ts; rows and columns past n are clamped on load and not stored);
// returns this thread's max |dst - I|.
fn mm(lid: u32, n: u32, dst: u32, a: u32, affA: bool, b: u32, affB: bool) -> f32 {
  var err = 0.0;
  let tpr = (n + TS - 1u) / TS;
  for (var tile = lid; tile < tpr * tpr; tile += WG) {
    let i0 = (tile / tpr) * TS;
    let j0 = (tile % tpr) * TS;
    //#each u<TS: let ic{u} = min(i0 + {u}u, n - 1u);
    //#each v<TS: let jc{v} = min(j0 + {v}u, n - 1u);
    //#each u<TS, v<TS: var c{u}_{v}: f32 = 0.0;
    for (var k = 0u; k < n; k++) {
      //#each u<TS: let a{u} = ent(a, n, ic{u}, k, affA);
      //#each v<TS: let b{v} = ent(b, n, k, jc{v}, affB);
      //#each u<TS, v<TS: c{u}_{v} += a{u} * b{v};
    }
    //#each u<TS, v<TS: err = max(err, put(dst, n, i0 + {u}u, j0 + {v}u, c{u}_{v}));
  }
  return err;
}

// The workgroup's max of v, as a uniform value.
fn uniformMax(lid: u32, v: f32) -> f32 {
  let m = errMax(lid, v);
  if (lid == 0u) { sharedErr = m; }
  return workgroupUniformLoad(&sharedErr);
}

@compute @workgroup_size(WG)
fn factors(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lv: vec3u) {
  let lid = lv.x;
  let r = wid.y;
  let fc = tables[2u * NT + wid.x];
  let n = fc.x;
  let nn = n * n;
  let tn = tables[2u * fc.z];
  let at = r * FR + fc.y;
  let b2 = hp_beta2(r);
  let w = hp_factorWeight(r);
  accumulate(lid, r, tn, fc.w, n, at, b2, w);
  if (sc_refresh(r) == 0.0) { return; }
  storageBarrier();
  // ||A||_F^2 and trace(A) of the bias-corrected factor A.
  let scale = sc_factorScale(r);
  var acc = vec2f(0.0);
  for (var e = lid; e < nn; e += WG) {
    let v = facs[at + e] * scale;
    acc += vec2f(v * v, select(0.0, v, e % (n + 1u) == 0u));
  }
  let tot = pairSum(lid, acc);
  if (lid == 0u) { sharedPair = tot; }
  let st = workgroupUniformLoad(&sharedPair);
  if (!(st.x > 0.0)) { return; } // a factor still zero keeps its root
  let delta = hp_epsilon(r) * sqrt(st.x);
  // ||A + delta I||_F, and the start of the iteration: X = z^(1/4) I, M = z (A + delta I).
  let z = 2.5 / sqrt(st.x + 2.0 * delta * st.y + f32(n) * delta * delta);
  let x0 = sqrt(sqrt(z));
  let base = 4u * (r * FR + fc.y);
  var x = base;
  var m = base + nn;
  var t2 = base + 2u * nn;
  var t4 = base + 3u * nn;
  var local = 0.0;
  for (var e = lid; e < nn; e += WG) {
    let diag = e % (n + 1u) == 0u;
    newton[x + e] = select(0.0, x0, diag);
    let v = z * (facs[at + e] * scale + select(0.0, delta, diag));
    newton[m + e] = v;
    local = max(local, abs(v - select(0.0, 1.0, diag)));
  }
  var err = uniformMax(lid, local);
  for (var it = 0u; it < MAX_IT && err > TOL; it++) {
    storageBarrier();
    mm(lid, n, t2, m, true, m, true); // Mp^2, Mp = 1.25 I - 0.25 M
    mm(lid, n, t4, x, false, m, true); // X Mp: the next X
    storageBarrier();
    mm(lid, n, x, t2, false, t2, false); // Mp^4, over the old X
    storageBarrier();
    local = mm(lid, n, t2, x, false, m, false); // Mp^4 M: the next M
    let nx = t4;
    t4 = x;
    x = nx;
    let nm = t2;
    t2 = m;
    m = nm;
    err = uniformMax(lid, local);
  }
  storageBarrier();
  for (var e = lid; e < nn; e += WG) { roots[at + e] = newton[x + e]; }
}
//#else
// The grafting direction of coordinate i (= r * P + j): m_hat / (sqrt(v / bc2) + eps).
fn graft(r: u32, i: u32) -> f32 {
  let v = state[R * P + i];
  return state[i] * sc_invBc1(r) / (sqrt(v * sc_graftScale(r)) + hp_graftEps(r));
}

// work[wb + a * cols + c] <- v unless (a, c) lies outside the rows x cols matrix.
fn putT(wb: u32, rows: u32, cols: u32, a: u32, c: u32, v: f32) {
  if (a < rows && c < cols) { work[wb + a * cols + c] = v; }
}

// Entry e of S is v: stores it and returns (v^2, d^2), d the grafting direction there.
fn putS(r: u32, wb: u32, p0: u32, e: u32, v: f32) -> vec2f {
  work[wb + P + e] = v;
  let d = graft(r, p0 + e);
  return vec2f(v * v, d * d);
}

@compute @workgroup_size(WG)
fn update(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lv: vec3u) {
  let lid = lv.x;
  let r = wid.y;
  let tn = tables[2u * wid.x];
  let fx = tables[2u * wid.x + 1u];
  let rows = tn.y;
  let cols = tn.z;
  let size = rows * cols;
  let p0 = r * P + tn.x;
  let lr = sc_lr(r);
  let decay = sc_decay(r);
  let direct = tn.w == 0u || sc_shampoo(r) == 0.0;
  for (var e = lid; e < size; e += WG) {
    let i = p0 + e;
    let g = grads[i];
    state[i] = hp_beta1(r) * state[i] + hp_oneMinusBeta1(r) * g;
    state[R * P + i] = hp_graftBeta2(r) * state[R * P + i] + hp_graftWeight(r) * g * g;
    if (direct) { params[i] = params[i] * decay - lr * graft(r, i); }
  }
  if (direct) { return; }
  storageBarrier();
  // T = Linv m_hat (rows x cols), in work[0, P) of the run.
  let wb = 2u * r * P + tn.x;
  let rb = r * FR;
  let ib = sc_invBc1(r);
  let tr = (rows + TS - 1u) / TS;
  let tc = (cols + TS - 1u) / TS;
  if (fx.x == NONE) {
    for (var e = lid; e < size; e += WG) { work[wb + e] = state[p0 + e] * ib; }
  } else {
    for (var tile = lid; tile < tr * tc; tile += WG) {
      let a0 = (tile / tc) * TS;
      let c0 = (tile % tc) * TS;
      //#each u<TS: let lr{u} = rb + fx.x + min(a0 + {u}u, rows - 1u) * rows;
      //#each v<TS: let mc{v} = p0 + min(c0 + {v}u, cols - 1u);
      //#each u<TS, v<TS: var t{u}_{v}: f32 = 0.0;
      for (var b = 0u; b < rows; b++) {
        //#each u<TS: let x{u} = roots[lr{u} + b];
        //#each v<TS: let y{v} = state[mc{v} + b * cols];
        //#each u<TS, v<TS: t{u}_{v} += x{u} * y{v};
      }
      //#each u<TS, v<TS: putT(wb, rows, cols, a0 + {u}u, c0 + {v}u, t{u}_{v} * ib);
    }
  }
  storageBarrier();
  // S = T Rinv, in work[P, 2P); its squared norm and the grafting direction's.
  var acc = vec2f(0.0);
  if (fx.y == NONE) {
    for (var e = lid; e < size; e += WG) { acc += putS(r, wb, p0, e, work[wb + e]); }
  } else {
    for (var tile = lid; tile < tr * tc; tile += WG) {
      let a0 = (tile / tc) * TS;
      let c0 = (tile % tc) * TS;
      //#each u<TS: let tr{u} = wb + min(a0 + {u}u, rows - 1u) * cols;
      //#each v<TS: let rc{v} = rb + fx.y + min(c0 + {v}u, cols - 1u);
      //#each u<TS, v<TS: var s{u}_{v}: f32 = 0.0;
      for (var d = 0u; d < cols; d++) {
        //#each u<TS: let x{u} = work[tr{u} + d];
        //#each v<TS: let y{v} = roots[rc{v} + d * cols];
        //#each u<TS, v<TS: s{u}_{v} += x{u} * y{v};
      }
      //#each u<TS, v<TS: if (a0 + {u}u < rows && c0 + {v}u < cols) { acc += putS(r, wb, p0, (a0 + {u}u) * cols + c0 + {v}u, s{u}_{v}); }
    }
  }
  let tot = pairSum(lid, acc);
  let scale = sqrt(tot.y) / (sqrt(tot.x) + 1e-16);
  for (var e = lid; e < size; e += WG) {
    params[p0 + e] = params[p0 + e] * decay - lr * scale * work[wb + P + e];
  }
}
//#endif
