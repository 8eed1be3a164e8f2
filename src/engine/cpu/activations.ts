/**
 * Activation functions in float64, each beside its derivative (the CPU oracle of
 * shaders/activations.wgsl). The derivative is taken at the pre-activation z.
 */
import type { Activation } from '../../schema/types';

export interface ActivationFns {
  /** a = f(z). */
  f(z: number): number;
  /** df/dz at the pre-activation z. */
  df(z: number): number;
}

/** sqrt(2/pi), the constant of GELU's tanh approximation. */
export const GELU_K = Math.sqrt(2 / Math.PI);
export const GELU_C = 0.044715;

function sigmoid(z: number): number {
  // Stable on both sides: never exp of a large positive number.
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

export const ACTIVATION_FNS: Readonly<Record<Activation, ActivationFns>> = {
  // relu: the derivative at z = 0 is taken as 0 (the WGSL kernel uses z > 0 too).
  relu: { f: (z) => (z > 0 ? z : 0), df: (z) => (z > 0 ? 1 : 0) },
  // relu2 = max(0, z)^2, derivative 2 max(0, z) (continuous, so finite differences work at 0).
  relu2: { f: (z) => (z > 0 ? z * z : 0), df: (z) => (z > 0 ? 2 * z : 0) },
  tanh: {
    f: Math.tanh,
    df: (z) => {
      const t = Math.tanh(z);
      return 1 - t * t;
    },
  },
  sigmoid: {
    f: sigmoid,
    df: (z) => {
      const s = sigmoid(z);
      return s * (1 - s);
    },
  },
  // GELU in its tanh approximation: WGSL has no erf, so both backends use this form.
  //   gelu(z) = 0.5 z (1 + tanh(u)),  u = sqrt(2/pi) (z + 0.044715 z^3)
  //   gelu'(z) = 0.5 (1 + tanh(u)) + 0.5 z (1 - tanh(u)^2) sqrt(2/pi) (1 + 3 * 0.044715 z^2)
  gelu: {
    f: (z) => 0.5 * z * (1 + Math.tanh(GELU_K * (z + GELU_C * z * z * z))),
    df: (z) => {
      const t = Math.tanh(GELU_K * (z + GELU_C * z * z * z));
      const du = GELU_K * (1 + 3 * GELU_C * z * z);
      return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * du;
    },
  },
  linear: { f: (z) => z, df: () => 1 },
};

/** The function pair of an activation name; a custom pair passes through (tests inject broken ones). */
export function activationFns(act: Activation | ActivationFns): ActivationFns {
  if (typeof act !== 'string') return act;
  const fns = ACTIVATION_FNS[act];
  if (!fns)
    throw new Error(
      `model.activation: expected one of ${Object.keys(ACTIVATION_FNS).join(', ')}, got "${String(act)}"`,
    );
  return fns;
}
