// Muon's Newton–Schulz products (src/engine/optim/muon_gpu.ts): one batched, tiled matrix product
// per dispatch, out = alpha * addend + beta * lhs op(rhs) for every run, where lhs is m x k, op(rhs)
// is k x n (rhs stored n x k when dims.transR, so X X^T reads X twice), addend and out are m x n,
// all row-major. Operand z of run r starts at dims.zOff + r * dims.zRs. The record `dims` (NsDims,
// group 1, a dynamic offset per dispatch) gives shapes, offsets, coefficients, the iteration and
// flags; the hyper and scalar slots come through the accessors generated from muon.ts's names.
// Bindings: NS_KERNEL_IO in muon_gpu.ts (hyperR, lhs, rhs, addend, out; dims).
//
// Grid: x = the tile column, y = the tile row (TILE x TILE output tiles), z = the run. Each thread
// computes one output element, stepping over k in TILE-wide slices staged in workgroup memory
// (zero outside the matrices, so any m, k, n works).
// A run skips the dispatch when the iteration is past its nsSteps, or when the matrix is the first
// or last and its adamFirstLast is on; with NS_COPY a skipping run copies the addend (its current X)
// to out, so every run's final X lands in the same buffer.

override HS: u32 = 1u; // floats per run in hyperR
const TILE: u32 = 16u;
const NS_COPY: u32 = 1u;
const NS_END: u32 = 2u;

fn hp(r: u32, k: u32) -> f32 { return hyperR[r * HS + k]; }

var<workgroup> tileL: array<array<f32, TILE>, TILE>;
var<workgroup> tileR: array<array<f32, TILE>, TILE>;

// Whether run r does this dispatch's product (uniform per workgroup: r is its z index).
fn runActive(r: u32) -> bool {
  if (f32(dims.iter) >= hp_nsSteps(r)) { return false; }
  return !((dims.flags & NS_END) != 0u && hp_adamFirstLast(r) != 0.0);
}

@compute @workgroup_size(TILE, TILE)
fn gemm(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wid.z;
  let row = wid.y * TILE + lid.y;
  let col = wid.x * TILE + lid.x;
  let inside = row < dims.m && col < dims.n;
  let e = dims.eOff + r * dims.eRs + row * dims.n + col;
  let o = dims.oOff + r * dims.oRs + row * dims.n + col;
  if (!runActive(r)) {
    if ((dims.flags & NS_COPY) != 0u && inside) { out[o] = addend[e]; }
    return;
  }
  let lBase = dims.lOff + r * dims.lRs;
  let rBase = dims.rOff + r * dims.rRs;
  var acc = 0.0;
  for (var k0 = 0u; k0 < dims.k; k0 += TILE) {
    let lk = k0 + lid.x;
    var lv = 0.0;
    if (row < dims.m && lk < dims.k) { lv = lhs[lBase + row * dims.k + lk]; }
    tileL[lid.y][lid.x] = lv;
    let rk = k0 + lid.y;
    var rv = 0.0;
    if (rk < dims.k && col < dims.n) {
      if (dims.transR != 0u) {
        rv = rhs[rBase + col * dims.k + rk];
      } else {
        rv = rhs[rBase + rk * dims.n + col];
      }
    }
    tileR[lid.y][lid.x] = rv;
    workgroupBarrier();
    for (var kk = 0u; kk < TILE; kk++) { acc += tileL[lid.y][kk] * tileR[kk][lid.x]; }
    workgroupBarrier();
  }
  if (inside) {
    var v = dims.beta * acc;
    if (dims.alpha != 0.0) { v = dims.alpha * addend[e] + v; }
    out[o] = v;
  }
}
