// FRUGAL(AdamW, signSGD) with a random-coordinate mask for a population (after optim_common.wgsl,
// the accessors of the hyper and scalars named in src/engine/optim/frugal.ts, and prng.wgsl). Dense-weight coordinate j of run r is in the state-full set during period
// k = (t - 1) / updateGap iff (rngU32(rngU32(seed_r, STREAM_MASK, k), STREAM_MASK, j) >> 8) < threshold
// (threshold = round(density 2^24)); biases are always state-full.
//   state-full: per-coordinate AdamW with its own step count n (bias corrections 1 - beta^n)
//   state-free: theta -= lr inactiveLrScale sign(g); the coordinate's m, v, n are zeroed, so a
//               coordinate entering the set starts a fresh Adam.
// Decoupled decay theta *= 1 - lr wd applies to every coordinate first.
// state:   slot 0 m, slot 1 v, slot 2 n (steps since the coordinate entered the set).

// Extra bindings (FRUGAL_IO in src/engine/optim/frugal.ts): tensors, a vec4u per tensor (offset,
// size, isBias, 0); seeds, the runs' seeds.

override NT: u32 = 1u;

// 1 - exp(x) for x <= 0 without cancellation near 0 (WGSL has no expm1).
fn oneMinusExp(x: f32) -> f32 {
  if (x > -0.03) { return -x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x / 120.0)))); }
  return 1.0 - exp(x);
}

fn isBias(j: u32) -> bool {
  var b = false;
  for (var q = 0u; q < NT; q++) {
    let tq = tensors[q];
    if (j >= tq.x && j < tq.x + tq.y) { b = tq.z == 1u; }
  }
  return b;
}

fn update(i: u32, r: u32) {
  let j = i - r * step.paramCount;
  let gap = u32(hp_updateGap(r));
  let period = (step.t - 1u) / gap;
  let key = rngU32(seeds[r], STREAM_MASK, period);
  let inSet = isBias(j) || f32(rngU32(key, STREAM_MASK, j) >> 8u) < hp_threshold(r);
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
  let n = state[si(2u, i)] + 1.0;
  let m = b1 * state[si(0u, i)] + hp_oneMinusBeta1(r) * g;
  let v = b2 * state[si(1u, i)] + hp_oneMinusBeta2(r) * g * g;
  state[si(0u, i)] = m;
  state[si(1u, i)] = v;
  state[si(2u, i)] = n;
  let bc1 = oneMinusExp(n * hp_lnBeta1(r));
  let bc2 = oneMinusExp(n * hp_lnBeta2(r));
  param_out(i, p - (sc_lr(r) / bc1) * m / (sqrt(v) / sqrt(bc2) + hp_eps(r)));
}
