// Schedule-Free's gradient point (src/engine/optim/schedule_free.ts), one thread per coordinate:
//   point:   save <- x; params <- y = x + (1 - beta1) d (d = z - x in state slot 0), before the
//            step's forward;
//   restore: params <- save, after the backward, so the update and every metric see x.
// Bindings: SF_POINT_IO in schedule_free.ts; hp(r, k) reads the run's slots through the accessors
// generated from their names.

override WG: u32 = 64u;
override R: u32;  // runs
override P: u32;  // floats per run
override HS: u32; // hyper floats per run

fn hp(r: u32, k: u32) -> f32 { return hyper[r * HS + k]; }

fn sc(r: u32, q: u32) -> f32 { return 0.0; } // the point kernels read no step scalars

fn flat(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * WG; }

@compute @workgroup_size(WG)
fn point(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= R * P) { return; }
  let x = params[i];
  save[i] = x;
  params[i] = x + hp_oneMinusBeta1(i / P) * state[i];
}

@compute @workgroup_size(WG)
fn restore(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < R * P) { params[i] = save[i]; }
}
