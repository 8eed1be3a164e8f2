// Activation functions shared by the model kernels (the ACTIVATIONS snippet of
// src/engine/model/mlp_gpu_kernels.ts: the dense, fused-tail and CNN kernels list it). ACT selects
// one at pipeline compile time:
// 0 relu, 1 relu2 (max(0,z)^2), 2 tanh, 3 sigmoid, 4 gelu (tanh approximation; WGSL has no erf), 5 linear.
override ACT: u32 = 0u;

fn stable_tanh(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}

fn stable_sigmoid(x: f32) -> f32 {
  if (x >= 0.0) {
    return 1.0 / (1.0 + exp(-x));
  }
  let e = exp(x);
  return e / (1.0 + e);
}

const GELU_K: f32 = 0.7978845608028654; // sqrt(2/pi)

fn act(z: f32) -> f32 {
  switch ACT {
    case 0u: { return max(z, 0.0); }
    case 1u: { let r = max(z, 0.0); return r * r; }
    case 2u: { return stable_tanh(z); }
    case 3u: { return stable_sigmoid(z); }
    case 4u: { return 0.5 * z * (1.0 + stable_tanh(GELU_K * (z + 0.044715 * z * z * z))); }
    default: { return z; }
  }
}

// d act / dz at pre-activation z.
fn act_grad(z: f32) -> f32 {
  switch ACT {
    case 0u: { return select(0.0, 1.0, z > 0.0); }
    case 1u: { return 2.0 * max(z, 0.0); }
    case 2u: { let t = stable_tanh(z); return 1.0 - t * t; }
    case 3u: { let s = stable_sigmoid(z); return s * (1.0 - s); }
    case 4u: {
      let u = GELU_K * (z + 0.044715 * z * z * z);
      let t = stable_tanh(u);
      let du = GELU_K * (1.0 + 3.0 * 0.044715 * z * z);
      return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * du;
    }
    default: { return 1.0; }
  }
}
