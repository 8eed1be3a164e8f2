// Per-run freeze guard of a population, run after every optimizer step (issue 8).
//   check: after the step's update (and, on a logged step, its evaluation). A non-finite parameter
//          of run r, or a non-finite batch loss of run r at this step (stats field BATCH_FIELD of
//          the step's slot), or with CHECK_TRAIN its train loss (TRAIN_FIELD, logged steps only),
//          records the step: atomicMin(status[2r], t). Steps only grow, so the first bad step
//          stays. With STOP_AT_ZERO (stopAtZeroLoss), a logged step whose train loss sum is exactly
//          0 records the step in the run's freeze word: atomicMin(status[2r + 1], t).
//   hold:  the last kernel of a step. A frozen run gets its last good parameters back; any other
//          run saves its parameters as the new last good ones.
//   restore: replaces both on the steps of an optimizer that does their work itself (below).
// status: u32 [R * 2] = (divergedAt, frozenAt) per run, NONE (0xffffffff) when not set. A run frozen
// at step f (word 1) keeps theta_f; a diverged run keeps theta_{d-1}.
// Non-finite is tested on the bits (exponent all ones), which no fast-math rewrite can remove.

struct GuardDims { R: u32, P: u32, NS: u32, BATCH_FIELD: u32, TRAIN_FIELD: u32, _p0: u32, _p1: u32, _p2: u32 }

// Bindings: DIVERGE_GUARD_IO in src/engine/webgpu/diverge_guard.ts (d, params, lastGood, stats,
// status; group 1 the step's StepInfo record, step). params and lastGood are array<f32, PARAMS_LEN>
// and array<f32, LAST_LEN>, constants diverge_guard.ts writes in front of this file (fixed-size
// arrays are cheaper to access on SwiftShader).

override WG: u32 = 64u;
override CHECK_TRAIN: u32 = 0u;
override STOP_AT_ZERO: u32 = 0u;
const NONE: u32 = 0xffffffffu;

fn nonFinite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u;
}

// Both kernels run on a grid of (chunks, runs): workgroup row y is run r, and each thread visits
// the run's parameters j = x, x + stride, ... (a grid-stride loop, so any P works). Per-run work
// (the loss checks, the frozen test) is done once per thread, not per parameter.
@compute @workgroup_size(WG)
fn check(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = gid.y;
  if (r >= d.R) { return; }
  let base = r * d.P;
  let stride = nwg.x * WG;
  var bad = false;
  for (var j = gid.x; j < d.P; j += stride) {
    bad = bad | nonFinite(params[base + j]);
  }
  if (gid.x == 0u) {
    let o = (step.slot * d.R + r) * d.NS;
    bad = bad | nonFinite(stats[o + d.BATCH_FIELD]);
    if (CHECK_TRAIN == 1u) {
      bad = bad | nonFinite(stats[o + d.TRAIN_FIELD]);
      if (STOP_AT_ZERO == 1u && stats[o + d.TRAIN_FIELD] == 0.0) { atomicMin(&status[2u * r + 1u], step.t); }
    }
  }
  if (bad) { atomicMin(&status[2u * r], step.t); }
}

// With an optimizer that does the guard's per-step work (optim_common.wgsl, GUARD: it saves
// theta_{t-1} to lastGood and records non-finite values), the step ends with `restore` instead of
// `hold`: a frozen run gets lastGood back, the others are left alone. A run diverged at d gets
// theta_{d-1}; one frozen at f (f < t) gets theta_f, which the update of step t saved.
@compute @workgroup_size(WG)
fn restore(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = gid.y;
  if (r >= d.R) { return; }
  if (atomicLoad(&status[2u * r]) == NONE && atomicLoad(&status[2u * r + 1u]) >= step.t) { return; }
  let base = r * d.P;
  let stride = nwg.x * WG;
  for (var j = gid.x; j < d.P; j += stride) {
    params[base + j] = lastGood[base + j];
  }
}

@compute @workgroup_size(WG)
fn hold(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = gid.y;
  if (r >= d.R) { return; }
  let base = r * d.P;
  let stride = nwg.x * WG;
  // Diverged at d: keep theta_{d-1}. Frozen at f (another reason, flagged after step f's update):
  // keep theta_f, so at step f itself the parameters are still saved.
  let frozen = atomicLoad(&status[2u * r]) != NONE || atomicLoad(&status[2u * r + 1u]) < step.t;
  if (frozen) {
    for (var j = gid.x; j < d.P; j += stride) {
      params[base + j] = lastGood[base + j];
    }
  } else {
    for (var j = gid.x; j < d.P; j += stride) {
      lastGood[base + j] = params[base + j];
    }
  }
}
