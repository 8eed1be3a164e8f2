/** Switching the model kind in the editor (a pure edit of the draft experiment). */
import type { Experiment, ModelKind } from '../../experiment/types';
import { defaultModelOf } from '../../experiment/validate_cnn';

export const MODEL_KIND_OPTIONS: readonly { value: ModelKind; label: string }[] = [
  { value: 'mlp', label: 'MLP' },
  { value: 'cnn', label: 'CNN (conv/pool/dense layers)' },
  { value: 'patch-cnn', label: 'Patch CNN (benign oscillation)' },
];

/**
 * The draft with a model of `kind`: that kind's defaults, keeping outputScale. A CNN on data that
 * is not images sees a [1, 1, D] row, so its default kernels become 1 x 3 and its pooling 1 x 2.
 * The patch CNN has one output, so a loss other than logistic or hinge becomes logistic.
 */
export function switchModelKind(d: Experiment, kind: ModelKind): void {
  if (d.model.kind === kind) return;
  const next = defaultModelOf(kind);
  if (d.model.outputScale !== undefined) next.outputScale = d.model.outputScale;
  if (next.kind === 'cnn' && d.data.kind !== 'images')
    next.layers = [
      { type: 'conv2d', channels: 8, kernel: [1, 3], stride: [1, 1], padding: [0, 1] },
      { type: 'maxpool', size: [1, 2], stride: [1, 2] },
      { type: 'dense', units: 32 },
    ];
  d.model = next;
  if (kind === 'patch-cnn' && d.loss !== 'logistic' && d.loss !== 'hinge') d.loss = 'logistic';
}
