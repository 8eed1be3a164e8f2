/**
 * What the export tests share: the system Python that runs the generated scripts, the check that
 * it can import torch and NumPy (a loud failure with the install line, never a skip), and the
 * agreement tolerances of the script's rows against the CPU backend's.
 */
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

/** Rows within this relative difference of the CPU backend's (float64 on both sides). */
export const TOL = 1e-6;
/** Curvature rows: Lanczos / Hutchinson on finite-difference Hessian-vector products on both sides. */
export const SHARPNESS_TOL = 1e-4;
export const CURVATURE = new Set([
  'sharpness',
  'precond_sharpness',
  'hessian_trace',
  'hessian_fro',
  'directional_sharpness',
  'grad_eig_cosine',
  'sharpness_2',
  'sharpness_3',
  'sharpness_4',
  'sharpness_5',
]);
export const tolOf = (metric: string) => (CURVATURE.has(metric) ? SHARPNESS_TOL : TOL);

/** Throw, saying how to install them, when PYTHON cannot import torch and numpy. */
export function requireTorch(): void {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    throw new Error(
      `${PYTHON} cannot import torch and numpy, which this test needs. Install Debian's packages:\n` +
        '  sudo apt-get update && sudo apt-get install -y python3-torch python3-numpy\n' +
        `(${probe.error?.message ?? probe.stderr.trim().split('\n').pop()})`,
    );
}

/** |a - b| relative to the larger magnitude (0 when equal, NaN and NaN included; Infinity when one is not finite). */
export function rel(a: number, b: number): number {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}
