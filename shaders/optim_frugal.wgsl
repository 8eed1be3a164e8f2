// FRUGAL(AdamW, signSGD) with a coordinate projector for a population (composed after
// optim_common.wgsl, the accessors of the hyper and scalars named in src/engine/optim/frugal.ts, and
// the PRNG). A weight is cut into units: its columns (shape index 1: unit of local coordinate e is
// (e / inner) % d1) or, with hp_columns = 0, its coordinates. Unit x of a tensor at offset o has the
// hash h = rngU32(rngU32(seed_r, STREAM_MASK, k), STREAM_MASK, o + x) in period k = (t - 1) / updateGap.
// The unit is in the AdamW set iff
//   exactCount: its rank among the tensor's units by (h, x) is below counts[r][tensor]
//               (floor(units * density), float64 on the host). `draw` ranks the units once per
//               period and keeps the set in state slot 3: unit x of the tensor at offset o in
//               coordinate o + x of the run, +(k + 1) in the set and -(k + 1) out of it for period k
//               (a stale tag means "draw again", so a resumed run redraws what it lacks);
//   otherwise:  (h >> 8) < threshold (threshold = round(density 2^24)), one hash in `update`.
// Biases are always in the set.
//   in the set: per-coordinate AdamW with its own step count n (bias corrections 1 - beta^n);
//               with resetAtDraw, a weight's m, v, n restart at 0 on the first step of a period.
//   otherwise:  theta -= lr inactiveLrScale sign(g); the coordinate's m, v, n are zeroed.
// Decoupled decay theta *= 1 - lr wd applies to every coordinate first.
// state:   slot 0 m, slot 1 v, slot 2 n, slot 3 the drawn set (exactCount).

// Extra bindings (FRUGAL_IO in src/engine/optim/frugal.ts): tensors, two vec4u per tensor
// ((offset, size, isBias, d1), (inner, 0, 0, 0)); seeds, the runs' seeds; counts, u32 [run][tensor].

override NT: u32 = 1u;

// 1 - exp(x) for x <= 0 without cancellation near 0 (WGSL has no expm1).
fn oneMinusExp(x: f32) -> f32 {
  if (x > -0.03) { return -x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x / 120.0)))); }
  return 1.0 - exp(x);
}

// The tensor holding run-local coordinate j (tensors tile the run, checked on the host).
fn tensorOf(j: u32) -> u32 {
  var q = 0u;
  for (var k = 0u; k < NT; k++) {
    let tk = tensors[2u * k];
    if (j >= tk.x && j < tk.x + tk.y) { q = k; }
  }
  return q;
}

// The unit of local coordinate e of tensor q for run r: its column or itself, and the tensor's units.
fn unitOf(r: u32, q: u32, e: u32) -> vec2u {
  let a = tensors[2u * q];
  if (hp_columns(r) != 0.0) { return vec2u((e / tensors[2u * q + 1u].x) % a.w, a.w); }
  return vec2u(e, a.y);
}

// Whether local coordinate e of weight tensor q is in run r's set for period `period`.
fn inSetOf(r: u32, q: u32, e: u32, period: u32) -> bool {
  let a = tensors[2u * q];
  let x = unitOf(r, q, e).x;
  if (hp_exactCount(r) != 0.0) { return state[si(3u, r * step.paramCount + a.x + x)] > 0.0; }
  let key = rngU32(seeds[r], STREAM_MASK, period);
  return f32(rngU32(key, STREAM_MASK, a.x + x) >> 8u) < hp_threshold(r);
}

// One workgroup per (weight tensor, run), dispatched before `update` every step: with exactCount,
// the units whose tag is not this period's are ranked by (h, x) and tagged in or out. Each unit's
// tag has one owner thread, so no barrier is needed.
@compute @workgroup_size(WG)
fn draw(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let q = wid.x;
  let r = wid.y;
  if (r >= step.runs || q >= NT) { return; }
  load_run(r);
  let a = tensors[2u * q];
  if (a.z == 1u || hp_exactCount(r) == 0.0) { return; }
  let period = (step.t - 1u) / u32(hp_updateGap(r));
  let tag = f32(period + 1u);
  let key = rngU32(seeds[r], STREAM_MASK, period);
  let units = unitOf(r, q, 0u).y;
  let k = counts[r * NT + q];
  let base = r * step.paramCount + a.x;
  for (var x = lid.x; x < units; x += WG) {
    if (abs(state[si(3u, base + x)]) == tag) { continue; }
    let h = rngU32(key, STREAM_MASK, a.x + x);
    var rank = 0u;
    for (var y = 0u; y < units; y++) {
      let hy = rngU32(key, STREAM_MASK, a.x + y);
      if (hy < h || (hy == h && y < x)) { rank++; }
    }
    state[si(3u, base + x)] = select(-tag, tag, rank < k);
  }
}

fn update(i: u32, r: u32) {
  let j = i - r * step.paramCount;
  let gap = u32(hp_updateGap(r));
  let period = (step.t - 1u) / gap;
  let q = tensorOf(j);
  let bias = tensors[2u * q].z == 1u;
  let inSet = bias || inSetOf(r, q, j - tensors[2u * q].x, period);
  // resetAtDraw: a weight's AdamW state restarts with each new set.
  let fresh = !bias && hp_resetAtDraw(r) != 0.0 && (step.t - 1u) % gap == 0u;
  let p = param_in(i) * sc_decay(r);
  let g = grads[i];
  if (!inSet) {
    param_out(i, p - sc_inactiveLr(r) * sign(g));
    if (state[si(2u, i)] != 0.0) {
      state[si(0u, i)] = 0.0;
      state[si(1u, i)] = 0.0;
      state[si(2u, i)] = 0.0;
    }
    return;
  }
  let b1 = hp_beta1(r);
  let b2 = hp_beta2(r);
  let n = select(state[si(2u, i)], 0.0, fresh) + 1.0;
  let m = b1 * select(state[si(0u, i)], 0.0, fresh) + hp_oneMinusBeta1(r) * g;
  let v = b2 * select(state[si(1u, i)], 0.0, fresh) + hp_oneMinusBeta2(r) * g * g;
  state[si(0u, i)] = m;
  state[si(1u, i)] = v;
  state[si(2u, i)] = n;
  let bc1 = oneMinusExp(n * hp_lnBeta1(r));
  let bc2 = oneMinusExp(n * hp_lnBeta2(r));
  param_out(i, p - (sc_lr(r) / bc1) * m / (sqrt(v) / sqrt(bc2) + hp_eps(r)));
}
