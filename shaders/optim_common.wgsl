// Shared frame of the one-dispatch optimizer updates (sgd, adam/adamw, rmsprop, adagrad, lion,
// signsgd, adabelief, diffgrad, sgd-sai, frugal). Composed in front of each optimizer's file
// (frameKernel in src/engine/optim/common.ts), which defines `fn update(i: u32, r: u32)`: advance
// coordinate i (= r * paramCount + j) of run r.
//
// The bindings are declared in TypeScript (frameIo and GUARD_IO in src/engine/optim/common.ts,
// generated in front of this file by kernel_io.ts):
//   params, grads   f32 [runs * P]
//   state           f32 [slots * runs * P]; slot s of coordinate i at s * runs * P + i
//   hyper           f32 [runs * HS]; packHyper() of each run
//   scalars         f32 [chunk * runs * SS]; stepScalars() of run r in step slot k at (k * runs + r) * SS
//   step            this step's StepInfo record (group 1, dynamic offset)
// The three per-coordinate arrays have their lengths in the source (PARAMS_LEN, GRADS_LEN,
// STATE_LEN, constants frameKernel writes in front of this file from the bound buffers' sizes).

override WG: u32 = 64u;
override HS: u32 = 1u; // floats per run in hyper
override SS: u32 = 8u; // STEP_SCALARS

// With GUARD (a define frameKernel writes, true when the population's divergence guard is attached:
// src/engine/webgpu/diverge_guard.ts) the update also does the guard's per-step work on the values it
// already holds: param_in saves theta_{t-1} to lastGood, param_out notes a non-finite theta_t, and
// `main` records the step in the run's status word (with a non-finite batch loss, the stats record's
// field GUARD_BATCH of GUARD_NS). The guard's own kernels then only put frozen runs back. Its
// bindings (lastGood, guardStats, guardStatus) follow StepInfo in group 1.
//#if GUARD
var<private> guardBad: bool = false;

// Not finite: exponent bits all ones (as diverge_guard.wgsl tests it; no fast-math rewrite removes it).
fn guard_non_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u;
}
//#endif

// Every frame optimizer reads parameter i once with param_in and writes it once with param_out.
fn param_in(i: u32) -> f32 {
  let p = params[i];
//#if GUARD
  lastGood[i] = p;
//#endif
  return p;
}

fn param_out(i: u32, p: f32) {
  params[i] = p;
//#if GUARD
  guardBad = guardBad | guard_non_finite(p);
//#endif
}

// A thread works on one run: entry points call load_run(r) first, which copies the run's
// hyperparameters and this step's scalars into private memory. hp() and sc() then read those
// copies (loading them from the storage buffers at every coordinate was about 40% of Adam's time
// on SwiftShader); their r argument must be that run.
const MAX_HS: u32 = 16u;
const MAX_SS: u32 = 8u;
var<private> hpRun: array<f32, MAX_HS>;
var<private> scRun: array<f32, MAX_SS>;

fn load_run(r: u32) {
  for (var k = 0u; k < min(HS, MAX_HS); k++) { hpRun[k] = hyper[r * HS + k]; }
  for (var q = 0u; q < min(SS, MAX_SS); q++) { scRun[q] = scalars[(step.slot * step.runs + r) * SS + q]; }
}

// Hyperparameter k of run r (the run passed to load_run) and per-step scalar q (q = 0 is the
// scheduled lr). Optimizers do not call these by position: they call the accessors generated from
// the names their def declares (hp_beta1(r), sc_lr(r): src/engine/optim/slots.ts), which
// optimizerSource() puts after this file.
fn hp(r: u32, k: u32) -> f32 { return hpRun[k]; }
fn sc(r: u32, q: u32) -> f32 { return scRun[q]; }
// Index of coordinate i in state slot s.
fn si(s: u32, i: u32) -> u32 { return s * step.runs * step.paramCount + i; }
fn flagOn(x: f32) -> bool { return x != 0.0; }

// Grid (chunks, runs): workgroup row y is run r; each thread visits the run's coordinates
// j = x, x + stride, ... (any paramCount works).
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = gid.y;
  if (r >= step.runs) { return; }
  load_run(r);
  let base = r * step.paramCount;
  let stride = nwg.x * WG;
  for (var j = gid.x; j < step.paramCount; j += stride) {
    update(base + j, r);
  }
//#if GUARD
  let loss = guardStats[(step.slot * step.runs + r) * GUARD_NS + GUARD_BATCH];
  if (guardBad || guard_non_finite(loss)) { atomicMin(&guardStatus[2u * r], step.t); }
//#endif
}
