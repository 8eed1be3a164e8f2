// Shared frame of the one-dispatch optimizer updates (sgd, adam/adamw, rmsprop, adagrad, lion,
// signsgd, adabelief, diffgrad, sgd-sai, frugal). Concatenated in front of each optimizer's file,
// which defines `fn update(i: u32, r: u32)`: advance coordinate i (= r * paramCount + j) of run r.
//
// Layout (src/engine/optim/types.ts):
//   params, grads   f32 [runs * P]
//   state           f32 [slots * runs * P]; slot s of coordinate i at s * runs * P + i
//   hyper           f32 [runs * HS]; packHyper() of each run
//   scalars         f32 [chunk * runs * SS]; stepScalars() of run r in step slot k at (k * runs + r) * SS
//   step            this step's StepInfo record (dynamic offset)

struct StepInfo { t: u32, slot: u32, runs: u32, paramCount: u32 }

override WG: u32 = 64u;
override HS: u32 = 1u; // floats per run in hyper
override SS: u32 = 8u; // STEP_SCALARS

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> state: array<f32>;
@group(0) @binding(3) var<storage, read> hyper: array<f32>;
@group(0) @binding(4) var<storage, read> scalars: array<f32>;
@group(1) @binding(0) var<uniform> step: StepInfo;

// Hyperparameter k of run r.
fn hp(r: u32, k: u32) -> f32 { return hyper[r * HS + k]; }
// Per-step scalar q of run r (q = 0 is the scheduled lr).
fn sc(r: u32, q: u32) -> f32 { return scalars[(step.slot * step.runs + r) * SS + q]; }
// Index of coordinate i in state slot s.
fn si(s: u32, i: u32) -> u32 { return s * step.runs * step.paramCount + i; }
fn flagOn(x: f32) -> bool { return x != 0.0; }

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= step.runs * step.paramCount) { return; }
  update(i, i / step.paramCount);
}
