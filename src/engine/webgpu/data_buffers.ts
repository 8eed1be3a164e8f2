/**
 * The training and test sets on the device (trainer_setup.ts), declared once: the trainer uploads
 * them from this table and the memory plan lists them from it (memory_plan_parts.ts). An empty
 * test set still gets a one-value buffer, so every binding is valid.
 */
import type { BufferTable } from './buffer_table';

export interface DataDims {
  nTrain: number;
  nTest: number;
  inputDim: number;
  /** Target values per example: 1 for classification, the output dimension for regression. */
  targetDim: number;
}

const orOne = (n: number, per: number) => (n > 0 ? n * per : 1);

export const DATA_BUFFERS = {
  'x-train': { floats: (d) => d.nTrain * d.inputDim, sizedBy: 'data', what: () => 'the training inputs' },
  'y-train': { floats: (d) => d.nTrain * d.targetDim, sizedBy: 'data', what: () => 'the training targets' },
  'x-test': { floats: (d) => orOne(d.nTest, d.inputDim), sizedBy: 'test', what: () => 'the test inputs' },
  'y-test': { floats: (d) => orOne(d.nTest, d.targetDim), sizedBy: 'test', what: () => 'the test targets' },
} satisfies BufferTable<DataDims>;
