// Counter-based PRNG shared by every kernel that draws random numbers (no entry point: the
// snippet PRNG of src/engine/webgpu/snippets.ts, which a kernel lists in wgslSource).
// Bit-identical to src/engine/data/prng.ts: u32 arithmetic only, which wraps in WGSL exactly as
// Math.imul / >>> 0 do in TS.
//
//   hash32(x)                      lowbias32 integer finaliser (a bijection of u32)
//   rngU32(seed, stream, counter)  three inputs chained through hash32 with distinct constants
//   rngUniform(...)                top 24 bits / 2^24, in [0, 1) (exact in f32)
//   rngNormal(...)                 Box-Muller sqrt(-2 ln u1) cos(2 pi u2); u1 in (0, 1] from the
//                                  draw, u2 from hash32 of it; ln and cos by series (device-independent)
//   rngRademacher(...)             +1 or -1 from the top bit
//
// Named streams keep the users of one seed apart; the values match prng.ts (a test checks).

const STREAM_INIT: u32 = 1u;
const STREAM_BATCH: u32 = 2u;
const STREAM_DATA: u32 = 3u;
const STREAM_DP_NOISE: u32 = 4u;
const STREAM_PROBE: u32 = 5u;
const STREAM_MASK: u32 = 6u;

fn hash32(x0: u32) -> u32 {
  var x = x0;
  x = x ^ (x >> 16u);
  x = x * 0x7feb352du;
  x = x ^ (x >> 15u);
  x = x * 0x846ca68bu;
  x = x ^ (x >> 16u);
  return x;
}

fn rngU32(seed: u32, stream: u32, counter: u32) -> u32 {
  let a = hash32(seed ^ 0x9e3779b9u);
  let b = hash32(a ^ (stream + 0x85ebca6bu));
  let c = hash32(b ^ counter);
  return hash32(c + 0xc2b2ae35u);
}

fn rngUniform(seed: u32, stream: u32, counter: u32) -> f32 {
  return f32(rngU32(seed, stream, counter) >> 8u) * (1.0 / 16777216.0);
}

// -ln(u) for u in (0, 1]: frexp, then ln m = 2 atanh((m - 1) / (m + 1)) as a series with
// m in [sqrt(1/2), sqrt(2)). Accurate to f32 rounding on every device (WGSL only bounds log()
// to an absolute 2^-21 near 1, which sqrt(-2 ln u) would amplify).
fn rngNegLog(u: f32) -> f32 {
  let fe = frexp(u);
  var m = fe.fract;
  var e = f32(fe.exp);
  if (m < 0.70710678) {
    m = m * 2.0;
    e = e - 1.0;
  }
  let s = (m - 1.0) / (m + 1.0);
  let s2 = s * s;
  let lnm = 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (0.2 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0)))));
  return -(e * 0.6931471805599453 + lnm);
}

// cos(2 pi u) for u in [0, 1) on the 2^-24 grid: exact quadrant reduction, then Taylor series on
// [0, pi/4] (error < 2e-9), so the result does not depend on the device's cos().
fn rngCos2Pi(u: f32) -> f32 {
  let q = u * 4.0;
  let k = u32(q);
  var f = q - f32(k);
  let swap = f > 0.5;
  if (swap) {
    f = 1.0 - f;
  }
  let t = f * 1.5707963267948966;
  let t2 = t * t;
  let c = 1.0 - t2 / 2.0 * (1.0 - t2 / 12.0 * (1.0 - t2 / 30.0 * (1.0 - t2 / 56.0 * (1.0 - t2 / 90.0))));
  let sn = t * (1.0 - t2 / 6.0 * (1.0 - t2 / 20.0 * (1.0 - t2 / 42.0 * (1.0 - t2 / 72.0))));
  let cosA = select(c, sn, swap);
  let sinA = select(sn, c, swap);
  switch k {
    case 0u: { return cosA; }
    case 1u: { return -sinA; }
    case 2u: { return -cosA; }
    default: { return sinA; }
  }
}

fn rngNormal(seed: u32, stream: u32, counter: u32) -> f32 {
  let x = rngU32(seed, stream, counter);
  let y = hash32(x ^ 0x2545f491u);
  let u1 = f32((x >> 8u) + 1u) * (1.0 / 16777216.0);
  let u2 = f32(y >> 8u) * (1.0 / 16777216.0);
  return sqrt(2.0 * rngNegLog(u1)) * rngCos2Pi(u2);
}

fn rngRademacher(seed: u32, stream: u32, counter: u32) -> f32 {
  return select(-1.0, 1.0, (rngU32(seed, stream, counter) >> 31u) == 1u);
}

// snake_case spellings used by some kernels (curvature.wgsl).
fn rng_u32(seed: u32, stream: u32, counter: u32) -> u32 { return rngU32(seed, stream, counter); }
fn rng_uniform(seed: u32, stream: u32, counter: u32) -> f32 { return rngUniform(seed, stream, counter); }
fn rng_normal(seed: u32, stream: u32, counter: u32) -> f32 { return rngNormal(seed, stream, counter); }
fn rng_rademacher(seed: u32, stream: u32, counter: u32) -> f32 { return rngRademacher(seed, stream, counter); }
