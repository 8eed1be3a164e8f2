// The fused Lanczos step (LanczosGpu's `fused`, the default on CPU-backed adapters), appended to
// shaders/lanczos.wgsl, whose bindings, state layout, qi and ritz it uses: what lz_dots and lz_sub
// (twice), lz_ritz and lz_next do, in one dispatch with one workgroup of FWG threads per run. Each
// thread keeps the same elements i = lid, lid + FWG, ... through the step, so w needs no barrier
// between passes. Each pass's dots (with q_0..q_J, and |w|^2 before the pass) go through workgroup
// memory, FWG partials per coefficient, which every thread adds up itself (each pass has its own
// half, so the next pass's writes need no barrier). beta_J comes from the second pass:
// beta_J^2 = |w'|^2 - sum_t c_t^2, w' the product after the first pass, c its second-pass dots
// (orthogonal projection; the c_t are round-off, so the difference loses nothing). Three barriers a
// step, and 4 threads, one SIMD group of SwiftShader's: with 64 threads (and two barriers per
// reduction) the step took 0.8 ms at P = 1,218 against 0.46 ms with 4.
const FWG: u32 = 4u;
// Coefficients per pass: the dots with q_0..q_J (J < 32) and |w|^2.
const FNC: u32 = 33u;
var<workgroup> fz_part: array<f32, 264>; // 2 passes * FNC * FWG
var<workgroup> fz_flag: u32;

// Coefficient t of pass h: the sum of its FWG partials.
fn fz_coef(h: u32, t: u32) -> f32 {
  var s: f32 = 0.0;
  for (var k = 0u; k < FWG; k++) { s += fz_part[(h * FNC + t) * FWG + k]; }
  return s;
}

// This thread's partial dots of run r's w with q_0..q_J and of |w|^2, into pass h's half.
fn fz_dots(r: u32, lid: u32, J: u32, h: u32) {
  for (var t = 0u; t <= J + 1u; t++) {
    var a: f32 = 0.0;
    if (t <= J) {
      for (var i = lid; i < cfg.P; i += FWG) { a += q[qi(r, t, i)] * w[r * cfg.P + i]; }
    } else {
      for (var i = lid; i < cfg.P; i += FWG) {
        let x = w[r * cfg.P + i];
        a += x * x;
      }
    }
    fz_part[(h * FNC + t) * FWG + lid] = a;
  }
}

// w <- w - sum_t c_t q_t with pass h's dots (this thread's elements); returns sum_t c_t^2.
fn fz_sub(r: u32, lid: u32, J: u32, h: u32) -> f32 {
  var c: array<f32, 32>;
  var cc: f32 = 0.0;
  for (var t = 0u; t <= J; t++) {
    c[t] = fz_coef(h, t);
    cc += c[t] * c[t];
  }
  for (var i = lid; i < cfg.P; i += FWG) {
    var s: f32 = 0.0;
    for (var t = 0u; t <= J; t++) { s += c[t] * q[qi(r, t, i)]; }
    w[r * cfg.P + i] -= s;
  }
  if (lid == 0u) { st[r * LS + S_ALPHA + J] += c[J]; }
  return cc;
}

@compute @workgroup_size(FWG)
fn lz_step(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wid.x;
  let o = r * LS;
  let on = st[o + S_ACTIVE] != 0.0;
  let J = u32(st[o + S_J]);
  if (on) { fz_dots(r, lid.x, J, 0u); }
  workgroupBarrier();
  if (on) {
    if (lid.x == 0u) { st[o + S_WSQ] = fz_coef(0u, J + 1u); }
    fz_sub(r, lid.x, J, 0u);
    fz_dots(r, lid.x, J, 1u);
  }
  workgroupBarrier();
  var beta: f32 = 0.0;
  if (on) {
    let cc = fz_sub(r, lid.x, J, 1u);
    beta = sqrt(max(fz_coef(1u, J + 1u) - cc, 0.0));
    if (lid.x == 0u) { fz_flag = select(0u, 1u, ritz(r, beta)); }
  }
  workgroupBarrier();
  if (!on || fz_flag == 0u) { return; }
  for (var i = lid.x; i < cfg.P; i += FWG) {
    let v = w[r * cfg.P + i] / beta;
    q[qi(r, J + 1u, i)] = v;
    u[r * cfg.P + i] = v;
  }
}
