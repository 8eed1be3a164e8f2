// Exact per-run top-c threshold without a sort (docs/optimizers.md, clipped-sgd): tau_r = the k-th largest |a| of run r
// (0-indexed, descending), k = floor(P * c_r). Radix select over the f32 bit pattern of |a| (as a
// u32 it is monotone for non-negative floats): four passes, most significant byte first. Pass p:
//   hist: count, per run, the elements whose higher bytes equal the prefix found so far, in 256
//         bins of byte p (workgroup-local atomics, then one global add per non-empty bin);
//   pick: one thread per run walks the 256 bins to the one holding the wanted rank, appends that
//         byte to the prefix, keeps the rank within the bin, and zeroes the bins for the next pass.
// After pass 3 the prefix is tau's bit pattern. sel[r] = (prefix, rank, mode, bits of tau*scale);
// mode 0: c <= 0, no clipping (tau = +inf); 1: selecting; 2: k >= P (c = 1), tau = 0.
// a = values (+ hyper[WD_INDEX] * params when WD_INDEX != NONE: coupled weight decay first).

override WG: u32 = 256u;
override ITEMS: u32 = 8u;  // elements per thread in hist
override R: u32;
override P: u32;
override HS: u32;
override C_INDEX: u32;
override SCALE_INDEX: u32;
override WD_INDEX: u32;
override PASS: u32;

const NONE: u32 = 0xffffffffu;
const BINS: u32 = 256u;

// Bindings: SELECT_IO in src/engine/optim/select.ts (values, params, hyper read; sel, and hist as
// atomics, written).

var<workgroup> wh: array<atomic<u32>, BINS>;

fn shiftOf() -> u32 { return 24u - 8u * PASS; }

@compute @workgroup_size(WG)
fn histogram(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wid.y;
  for (var b = lid.x; b < BINS; b += WG) { atomicStore(&wh[b], 0u); }
  workgroupBarrier();
  let live = PASS == 0u || sel[r * 4u + 2u] == 1u;
  if (live) {
    let hiMask = ~(0xffffffffu >> (8u * PASS));
    let want = sel[r * 4u] & hiMask;
    var wd: f32 = 0.0;
    if (WD_INDEX != NONE) { wd = hyper[r * HS + WD_INDEX]; }
    let start = wid.x * WG * ITEMS + lid.x;
    for (var k = 0u; k < ITEMS; k++) {
      let j = start + k * WG;
      if (j < P) {
        var a = values[r * P + j];
        if (WD_INDEX != NONE) { a += wd * params[r * P + j]; }
        let x = bitcast<u32>(a) & 0x7fffffffu;
        if (PASS == 0u || (x & hiMask) == want) {
          atomicAdd(&wh[(x >> shiftOf()) & 255u], 1u);
        }
      }
    }
  }
  workgroupBarrier();
  if (live) {
    for (var b = lid.x; b < BINS; b += WG) {
      let h = atomicLoad(&wh[b]);
      if (h > 0u) { atomicAdd(&hist[r * BINS + b], h); }
    }
  }
}

// floor(n * c) exactly for 0 < c < 1 (c = m 2^-s with an integer mantissa m): a 32x32 -> 64-bit
// product, shifted right by s.
fn rankOf(n: u32, c: f32) -> u32 {
  let bits = bitcast<u32>(c);
  let e = (bits >> 23u) & 255u;
  var m = bits & 0x7fffffu;
  var s = 149u;
  if (e > 0u) {
    m = m | 0x800000u;
    s = 150u - e;
  }
  let al = n & 0xffffu;
  let ah = n >> 16u;
  let bl = m & 0xffffu;
  let bh = m >> 16u;
  let ll = al * bl;
  let lh = al * bh;
  let hl = ah * bl;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  let lo = (ll & 0xffffu) | (mid << 16u);
  let hi = ah * bh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
  if (s >= 64u) { return 0u; }
  if (s >= 32u) { return hi >> (s - 32u); }
  return (lo >> s) | (hi << (32u - s));
}

@compute @workgroup_size(WG)
fn pick(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = gid.x + gid.y * nwg.x * WG;
  if (r >= R) { return; }
  let o = r * 4u;
  if (PASS == 0u) {
    let c = hyper[r * HS + C_INDEX];
    var mode = 1u;
    var k = 0u;
    if (!(c > 0.0)) {
      mode = 0u;
    } else if (c >= 1.0) {
      mode = 2u;
    } else {
      k = rankOf(P, c);
      if (k >= P) { mode = 2u; }
    }
    sel[o] = 0u;
    sel[o + 1u] = select(0u, P - 1u - k, mode == 1u);
    sel[o + 2u] = mode;
  }
  let mode = sel[o + 2u];
  var q = sel[o + 1u];
  var cum = 0u;
  var bin = 0u;
  var found = false;
  for (var b = 0u; b < BINS; b++) {
    let h = atomicLoad(&hist[r * BINS + b]);
    if (!found && q < cum + h) {
      found = true;
      bin = b;
      q -= cum;
    }
    cum += h;
    atomicStore(&hist[r * BINS + b], 0u);
  }
  if (mode == 1u) {
    sel[o] = sel[o] | (bin << shiftOf());
    sel[o + 1u] = q;
  }
  if (PASS == 3u) {
    var infBits = 0x7f800000u; // a runtime value: +inf must not come from a constant expression
    var tau = bitcast<f32>(infBits); // no clipping
    if (mode == 2u) { tau = 0.0; }
    if (mode == 1u) { tau = bitcast<f32>(sel[o]) * hyper[r * HS + SCALE_INDEX]; }
    sel[o + 3u] = bitcast<u32>(tau);
  }
}
