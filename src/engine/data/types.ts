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
    /** Slab data (lms, ms57, lsn): input coordinates (before any rotation) of each role. */
    linearCoords?: number[];
    slabCoords?: number[];
    /** k of each entry of slabCoords (3, 5 or 7). */
    slabTypes?: number[];
    noiseCoords?: number[];
    /**
     * Slab data with randomRotation: the orthonormal R [D, D] row-major with stored x = x_raw R,
     * so x_raw = x R^T.
     */
    rotation?: Float64Array;
    /** Opposing signals, per train point: +1 (x0 > 0), -1 (x0 < 0), 0 (clean). */
    group?: Int8Array;
    /** Images: [channels, height, width]; inputs are flattened channels-first, row-major. */
    imageShape?: [number, number, number];
    /** CSV: feature column names (input order) and class names (class index order). */
    columns?: string[];
    classNames?: string[];
  };
}
