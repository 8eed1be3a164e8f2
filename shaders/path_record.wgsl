// The recorded path of Trainer.trackPath on the GPU (src/engine/webgpu/path_recorder.ts): after
// step t, each tracked run's parameters are copied into its ring of H slots at slot t % H, so the
// ring holds the last H steps' parameters without a readback. One thread per (tracked run, float).
// Bindings: PATH_IO in path_recorder.ts (cfg, params, runs, ring; the step's StepInfo in group 1).

struct PathCfg { P: u32, H: u32, n: u32, _pad: u32 }

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn path_record(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = gid.x + gid.y * nwg.x * WG;
  if (k >= cfg.n * cfg.P) { return; }
  let j = k / cfg.P;
  let i = k % cfg.P;
  ring[(j * cfg.H + stp.t % cfg.H) * cfg.P + i] = params[runs[j] * cfg.P + i];
}
