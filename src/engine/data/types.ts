/** A generated dataset: float32 features row-major and float32 targets, train and test. */

export interface DataSplit {
  /** Points. */
  n: number;
  /** Row-major [n, inputDim]. */
  x: Float32Array;
  /**
   * Row-major [n, targetDim]. Classification: targetDim = 1 holding the class index 0..C-1 as a
   * float. Regression: the target vector.
   */
  y: Float32Array;
}

export interface Dataset {
  inputDim: number;
  /** Number of classes; 0 for regression. */
  nClasses: number;
  /** 1 for classification, the output dimension for regression. */
  targetDim: number;
  train: DataSplit;
  test: DataSplit;
  /**
   * Generator facts that metrics need, e.g. feature-noise's weak/strong directions (unit
   * vectors in input space) and which train points carry the strong feature.
   */
  meta: {
    kind: string;
    /** When set, the UI and docs say this generator is a reconstruction, with this note. */
    reconstruction?: string;
    weakDirection?: Float32Array;
    strongDirection?: Float32Array;
    /** Per train point: 1 if it carries the strong feature (feature-noise). */
    hasStrong?: Uint8Array;
  };
}
