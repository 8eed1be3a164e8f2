// Minibatch indices of one training step for every run (the PRNG snippet, prng.wgsl, goes in front).
// Same values as src/engine/data/batches.ts: with nb = floor(n / B) batches per epoch, step s = t - 1
// (StepInfo.t is 1-based) uses epoch e = s / nb, k = s % nb, and sample j of run r is
//   out[r * B + j] = permuteIndex(k * B + j, n, rngU32(seeds[r], STREAM_BATCH, e)),
// permuteIndex being an alternating Feistel network on the next power of two >= n with
// cycle-walking. B = n gives 0..n-1 in order. One thread per (run, j).

struct Cfg { n: u32, B: u32, nb: u32, runs: u32 }
// Bindings: BATCH_INDICES_IO in src/engine/data/gpu_batches.ts (cfg, seeds, out; group 1 the step's
// StepInfo record, stp, at a dynamic offset).

override WG: u32 = 64u;
override FEISTEL_ROUNDS: u32; // set from batches.ts

fn feistel(x: u32, bits: u32, key: u32) -> u32 {
  let lb = bits >> 1u;
  let rb = bits - lb;
  let maskL = (1u << lb) - 1u;
  let maskR = (1u << rb) - 1u;
  var l = x >> rb;
  var r = x & maskR;
  for (var i = 0u; i < FEISTEL_ROUNDS; i++) {
    let k = hash32(key + (i + 1u) * 0x9e3779b9u);
    if ((i & 1u) == 0u) {
      l = l ^ (hash32(r ^ k) & maskL);
    } else {
      r = r ^ (hash32(l ^ k) & maskR);
    }
  }
  return (l << rb) | r;
}

fn permuteIndex(i: u32, n: u32, key: u32) -> u32 {
  if (n <= 1u) { return 0u; }
  let bits = 32u - countLeadingZeros(n - 1u);
  var x = i;
  loop {
    x = feistel(x, bits, key);
    if (x < n) { break; }
  }
  return x;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= cfg.runs * cfg.B) { return; }
  let r = i / cfg.B;
  let j = i % cfg.B;
  if (cfg.B >= cfg.n) {
    out[i] = j;
    return;
  }
  let s = stp.t - 1u;
  let key = rngU32(seeds[r], STREAM_BATCH, s / cfg.nb);
  out[i] = permuteIndex((s % cfg.nb) * cfg.B + j, cfg.n, key);
}
