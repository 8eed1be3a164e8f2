/** The layout of the per-step, per-run stats record every model graph writes (no GPU code here). */

/** Fields of the per-step, per-run stats record (NS floats). */
export const STAT = {
  batchLoss: 0,
  batchCorrect: 1,
  trainLoss: 2,
  trainCorrect: 3,
  testLoss: 4,
  testCorrect: 5,
  weightSq: 6,
  gradSq: 7,
  stepSq: 8,
  period2Sq: 9,
  weakAlign: 10,
  strongAlign: 11,
  /** ||theta - theta_0||^2 (relative_weight_change). */
  w0DistSq: 12,
  /** First field of the extra evaluation sets: set k uses extra + 2k (loss sum) and extra + 2k + 1 (correct). */
  extra: 14,
} as const;
/** Extra evaluation sets a stats record has room for. */
export const MAX_EXTRA_EVAL = 5;
export const NS = STAT.extra + 2 * MAX_EXTRA_EVAL;
