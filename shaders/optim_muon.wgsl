// Muon (KellerJordan/Muon) for a population, after optim_common.wgsl and the accessors of the hyper
// and scalars named in src/engine/optim/muon.ts (decay = 1 - lr wd; adamDecay, adamStepSize =
// adamLr' / bc1 and adamInvSqrtBc2 = 1 / sqrt(bc2) with adamLr' the scheduled AdamW rate). Two
// entry points of the chain in src/engine/optim/muon_gpu.ts:
//   prep: one workgroup per (tensor, run); for a Muon matrix of the run: m <- mu m + (1 - mu) g,
//         u = (1 - mu) g + mu m (nesterov) or m, written wide (transposed when rows > cols) into
//         xs, then divided by ||u||_F + 1e-7 (a workgroup sum, muonSum).
//   main: one thread per coordinate (the frame's update): a Muon matrix steps with its
//         orthogonalised X from the Newton–Schulz chain (xs or xt, FINAL), scaled by
//         sqrt(max(1, rows/cols)); every other tensor is AdamW.
// state: slot 0 the momentum (Muon) or m (AdamW); slot 1 v (AdamW only).
// Extra bindings (muon_gpu.ts): muonTensors, a MuonTensor per tensor (offset, size, rows, cols,
// xOff, mode, scale); xs, xt f32 [runs * XS], the Newton–Schulz ping-pong.

override NT: u32 = 1u;    // tensors per run
override XS: u32 = 1u;    // floats per run of xs and xt
override FINAL: u32 = 0u; // 1: the orthogonalised X ends in xt (an odd number of iterations)

// mode 1: Muon; mode 2: Muon unless the run's adamFirstLast is on; mode 0: AdamW.
fn muonOn(t: MuonTensor, r: u32) -> bool {
  return t.mode == 1u || (t.mode == 2u && !flagOn(hp_adamFirstLast(r)));
}

// Where element q (row-major in [rows, cols]) of a matrix lives in its wide X.
fn xIndex(t: MuonTensor, q: u32) -> u32 {
  if (t.rows > t.cols) { return (q % t.cols) * t.rows + q / t.cols; }
  return q;
}

@compute @workgroup_size(WG)
fn prep(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let t = muonTensors[wid.x];
  let r = wid.y;
  load_run(r);
  let lid = lid3.x;
  // Every thread reaches the reduction; a tensor the run keeps on AdamW has nothing to visit.
  var n = 0u;
  if (muonOn(t, r)) { n = t.size; }
  let base = r * step.paramCount + t.offset;
  let xBase = r * XS + t.xOff;
  let mu = hp_momentum(r);
  let c = hp_oneMinusMomentum(r);
  let nesterov = flagOn(hp_nesterov(r));
  var ss = 0.0;
  for (var q = lid; q < n; q += WG) {
    let i = base + q;
    let g = grads[i];
    let m = mu * state[si(0u, i)] + c * g;
    state[si(0u, i)] = m;
    var u = m;
    if (nesterov) { u = mu * m + c * g; }
    xs[xBase + xIndex(t, q)] = u;
    ss += u * u;
  }
  let norm = sqrt(muonSum(lid, ss)) + 1e-7;
  for (var q = lid; q < n; q += WG) {
    let x = xBase + xIndex(t, q);
    xs[x] = xs[x] / norm;
  }
}

fn update(i: u32, r: u32) {
  let j = i - r * step.paramCount;
  var k = 0u;
  while (k + 1u < NT && j >= muonTensors[k].offset + muonTensors[k].size) { k++; }
  let t = muonTensors[k];
  let p = param_in(i);
  if (muonOn(t, r)) {
    let x = r * XS + t.xOff + xIndex(t, j - t.offset);
    var o = xs[x];
    if (FINAL == 1u) { o = xt[x]; }
    param_out(i, p * sc_decay(r) - sc_lr(r) * (t.scale * o));
    return;
  }
  let g = grads[i];
  let m = hp_beta1(r) * state[si(0u, i)] + hp_oneMinusBeta1(r) * g;
  state[si(0u, i)] = m;
  let v = hp_beta2(r) * state[si(1u, i)] + hp_oneMinusBeta2(r) * g * g;
  state[si(1u, i)] = v;
  param_out(i, p * sc_adamDecay(r) - sc_adamStepSize(r) * m / (sqrt(v) * sc_adamInvSqrtBc2(r) + hp_eps(r)));
}
