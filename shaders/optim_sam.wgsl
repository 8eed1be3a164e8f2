// SAM's ascent step for a population (src/engine/optim/sam.ts), around the base optimizer's update:
//  1. norm:    one workgroup per run: ||a g|| over the run's parameters (a = |theta| with `adaptive`,
//              else 1), scale[r] = rho / (||a g|| + 1e-12); the step's stats record saved.
//  2. perturb: one thread per coordinate: save <- theta; grad0 <- g (the gradient at theta, which
//              the step's metrics read: grads then holds the second gradient);
//              theta <- theta + scale[r] a^2 g.
//  (the engine takes the second gradient here, on the same minibatch)
//  3. restore: theta <- save; the stats record back (the second pass wrote the perturbed loss).
// Bindings: SAM_IO in sam.ts. hp(r, k) reads the run's own slots (rho, adaptive), through the
// accessors generated from their names.

override WG: u32 = 64u; // a power of two (tree reduction)
override R: u32;        // runs
override P: u32;        // floats per run
override NS: u32;       // floats per stats record
override HS: u32;       // hyper floats per run

fn hp(r: u32, k: u32) -> f32 { return hyper[r * HS + k]; }

fn sc(r: u32, q: u32) -> f32 { return 0.0; } // SAM's own kernels read no step scalars

// The flat index of a 2-D elementwise grid.
fn flat(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * WG; }

@compute @workgroup_size(WG)
fn norm(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wid.x;
  let adaptive = hp_adaptive(r) != 0.0;
  var s: f32 = 0.0;
  for (var j = lid.x; j < P; j += WG) {
    let i = r * P + j;
    var ag = grads[i];
    if (adaptive) { ag = ag * abs(params[i]); }
    s += ag * ag;
  }
  let total = sumSq(lid.x, s);
  if (lid.x == 0u) { scale[r] = hp_rho(r) / (sqrt(total) + 1e-12); }
  let rec = (step.slot * R + r) * NS;
  for (var k = lid.x; k < NS; k += WG) { statsSave[r * NS + k] = stats[rec + k]; }
}

@compute @workgroup_size(WG)
fn perturb(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= R * P) { return; }
  let r = i / P;
  let p = params[i];
  save[i] = p;
  let g = grads[i];
  grad0[i] = g;
  var e = scale[r] * g;
  if (hp_adaptive(r) != 0.0) { e = e * p * p; }
  params[i] = p + e;
}

@compute @workgroup_size(WG)
fn restore(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < R * P) { params[i] = save[i]; }
  if (i < R * NS) { stats[step.slot * R * NS + i] = statsSave[i]; }
}
