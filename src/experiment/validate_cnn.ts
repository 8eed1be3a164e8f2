/**
 * Validation of the convolutional model kinds ("cnn" and "patch-cnn"): their fields and layer
 * lists (sizes given as one number or a [height, width] pair, normalised to pairs), and the checks
 * that need the data (input shape, spatial sizes, patch dimension, loss, optimizers).
 */
import {
  ACTIVATIONS,
  type Activation,
  type CnnLayer,
  type CnnModel,
  type DataConfig,
  type LossName,
  type ModelConfig,
  type PatchCnnModel,
  type RunConfig,
} from './types';
import { LIMITS, dataShape } from './limits';
import {
  Issues,
  at,
  checkEnum,
  checkKeys,
  checkNumber,
  child,
  readBoolean,
  readNumber,
  show,
  type NumberRule,
} from '../schema/fields';
import { getOptimizer } from '../engine/optim/registry';
import { defaultExperiment } from './defaults';

export const CNN_MODEL_KEYS = [
  'kind',
  'inputShape',
  'layers',
  'activation',
  'initScale',
  'bias',
  'outputScale',
] as const;
export const PATCH_CNN_MODEL_KEYS = ['kind', 'filters', 'patchDim', 'activation', 'initScale', 'outputScale'] as const;
const LAYER_TYPES = ['conv2d', 'maxpool', 'avgpool', 'flatten', 'dense'] as const;
const LAYER_KEYS: Record<CnnLayer['type'], readonly string[]> = {
  conv2d: ['type', 'channels', 'kernel', 'stride', 'padding'],
  maxpool: ['type', 'size', 'stride'],
  avgpool: ['type', 'size', 'stride'],
  flatten: ['type'],
  dense: ['type', 'units'],
};
/** Values per example a single layer may output (before the device limits are checked). */
export const MAX_LAYER_VALUES = 1_000_000;

const INIT_RULE: NumberRule = { min: 0, minExclusive: true, max: 1000 };

/** The model a kind starts from when a config switches kind (validator fallback, UI kind selector). */
export function defaultModelOf(kind: ModelConfig['kind']): ModelConfig {
  switch (kind) {
    case 'mlp':
      return defaultExperiment().model;
    case 'cnn':
      return {
        kind,
        layers: [
          { type: 'conv2d', channels: 8, kernel: [3, 3], stride: [1, 1], padding: [1, 1] },
          { type: 'maxpool', size: [2, 2], stride: [2, 2] },
          { type: 'dense', units: 32 },
        ],
        activation: 'relu',
        initScale: 1,
        bias: true,
      };
    case 'patch-cnn':
      return { kind, filters: 8, activation: 'relu2', initScale: 1 };
  }
}

/** A size: n means [n, n]; [h, w] is checked item by item. */
function readPair(issues: Issues, v: unknown, path: string, rule: NumberRule): [number, number] | undefined {
  if (typeof v === 'number') {
    const n = checkNumber(issues, v, path, { ...rule, integer: true });
    return n === undefined ? undefined : [n, n];
  }
  if (Array.isArray(v) && v.length === 2) {
    const h = checkNumber(issues, v[0], at(path, 0), { ...rule, integer: true });
    const w = checkNumber(issues, v[1], at(path, 1), { ...rule, integer: true });
    return h === undefined || w === undefined ? undefined : [h, w];
  }
  issues.add(path, `expected an integer or a [height, width] pair of integers, got ${show(v)}`);
  return undefined;
}

function required(issues: Issues, obj: Record<string, unknown>, key: string, path: string, example: string): boolean {
  if (obj[key] !== undefined) return true;
  issues.add(child(path, key), `required for a ${String(obj.type)} layer, e.g. ${example}`);
  return false;
}

const SIZE_RULE: NumberRule = { min: 1, max: LIMITS.cnnKernel };

function validateLayer(issues: Issues, v: unknown, path: string): CnnLayer | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    issues.add(path, `expected a layer object such as {"type": "conv2d", "channels": 8, "kernel": 3}, got ${show(v)}`);
    return undefined;
  }
  const obj = v as Record<string, unknown>;
  const type = checkEnum(issues, obj.type, child(path, 'type'), 'layer type', LAYER_TYPES);
  if (!type) return undefined;
  checkKeys(issues, obj, path, LAYER_KEYS[type]);
  switch (type) {
    case 'conv2d': {
      const hasC = required(issues, obj, 'channels', path, '"channels": 8');
      const hasK = required(issues, obj, 'kernel', path, '"kernel": 3 or [3, 5]');
      if (!hasC || !hasK) return undefined;
      const channels = checkNumber(issues, obj.channels, child(path, 'channels'), {
        integer: true,
        min: 1,
        max: LIMITS.cnnChannels,
      });
      const kernel = readPair(issues, obj.kernel, child(path, 'kernel'), SIZE_RULE);
      const stride = obj.stride === undefined ? [1, 1] : readPair(issues, obj.stride, child(path, 'stride'), SIZE_RULE);
      const padding =
        obj.padding === undefined
          ? [0, 0]
          : readPair(issues, obj.padding, child(path, 'padding'), { min: 0, max: LIMITS.cnnKernel - 1 });
      if (channels === undefined || !kernel || !stride || !padding) return undefined;
      const axes = ['height', 'width'];
      for (let a = 0; a < 2; a++) {
        if (padding[a] >= kernel[a]) {
          issues.add(
            child(path, 'padding'),
            `padding ${padding[a]} (${axes[a]}) must be smaller than the kernel ${axes[a]} ${kernel[a]}; use at most ${kernel[a] - 1}`,
          );
          return undefined;
        }
      }
      return { type, channels, kernel, stride: [stride[0], stride[1]], padding: [padding[0], padding[1]] };
    }
    case 'maxpool':
    case 'avgpool': {
      if (!required(issues, obj, 'size', path, '"size": 2')) return undefined;
      const size = readPair(issues, obj.size, child(path, 'size'), SIZE_RULE);
      const stride = obj.stride === undefined ? size : readPair(issues, obj.stride, child(path, 'stride'), SIZE_RULE);
      if (!size || !stride) return undefined;
      return { type, size, stride: [stride[0], stride[1]] };
    }
    case 'flatten':
      return { type };
    case 'dense': {
      if (!required(issues, obj, 'units', path, '"units": 32')) return undefined;
      const units = checkNumber(issues, obj.units, child(path, 'units'), {
        integer: true,
        min: 1,
        max: LIMITS.hiddenWidth,
      });
      return units === undefined ? undefined : { type, units };
    }
  }
}

function validateLayers(issues: Issues, v: unknown, path: string): CnnLayer[] | undefined {
  if (!Array.isArray(v)) {
    issues.add(
      path,
      `expected an array of layers, e.g. [{"type": "conv2d", "channels": 8, "kernel": 3}], got ${show(v)}`,
    );
    return undefined;
  }
  if (v.length > LIMITS.cnnLayers) {
    issues.add(
      path,
      `${v.length} layers exceeds the limit of ${LIMITS.cnnLayers}; remove ${v.length - LIMITS.cnnLayers}`,
    );
    return undefined;
  }
  const out: CnnLayer[] = [];
  let denseAt = -1;
  v.forEach((item, i) => {
    const layer = validateLayer(issues, item, at(path, i));
    if (!layer) return;
    if (layer.type === 'dense' && denseAt < 0) denseAt = i;
    if ((layer.type === 'conv2d' || layer.type === 'maxpool' || layer.type === 'avgpool') && denseAt >= 0)
      issues.add(
        child(at(path, i), 'type'),
        `a ${layer.type} layer cannot follow the dense layer ${at(path, denseAt)}; put conv and pooling layers before dense layers`,
      );
    out.push(layer);
  });
  return out.length === v.length ? out : undefined;
}

/** outputScale: optional on every kind. */
export function readOutputScale(
  issues: Issues,
  obj: Record<string, unknown>,
  path: string,
  fallback: number | undefined,
): number | undefined | null {
  if (obj.outputScale === undefined) return fallback;
  const v = checkNumber(issues, obj.outputScale, child(path, 'outputScale'), { min: 1e-4, max: 1e4 });
  return v === undefined ? null : v;
}

function readActivation(issues: Issues, obj: Record<string, unknown>, path: string, fallback: Activation) {
  return obj.activation === undefined
    ? fallback
    : checkEnum<Activation>(issues, obj.activation, child(path, 'activation'), 'activation', ACTIVATIONS);
}

export function validateCnnModel(
  issues: Issues,
  obj: Record<string, unknown>,
  path: string,
  base: CnnModel & { outputScale?: number },
): CnnModel | undefined {
  checkKeys(issues, obj, path, CNN_MODEL_KEYS);
  const before = issues.count;
  let inputShape: [number, number, number] | undefined = base.inputShape;
  if (obj.inputShape !== undefined) {
    const p = child(path, 'inputShape');
    const v = obj.inputShape;
    if (!Array.isArray(v) || v.length !== 3) {
      issues.add(p, `expected [channels, height, width], got ${show(v)}`);
    } else {
      const dims = v.map((d, i) => checkNumber(issues, d, at(p, i), { integer: true, min: 1, max: LIMITS.inputDim }));
      if (dims.every((d) => d !== undefined)) inputShape = dims as [number, number, number];
    }
  }
  const layers =
    obj.layers === undefined ? structuredClone(base.layers) : validateLayers(issues, obj.layers, child(path, 'layers'));
  const activation = readActivation(issues, obj, path, base.activation);
  const initScale = readNumber(issues, obj, 'initScale', path, INIT_RULE, base.initScale);
  const bias = readBoolean(issues, obj, 'bias', path, base.bias);
  const outputScale = readOutputScale(issues, obj, path, base.outputScale);
  if (issues.count > before || !layers || !activation || initScale === undefined || bias === undefined)
    return undefined;
  const out: CnnModel = { kind: 'cnn', layers, activation, initScale, bias };
  if (inputShape) out.inputShape = inputShape;
  if (typeof outputScale === 'number') (out as ModelConfig).outputScale = outputScale;
  return out;
}

export function validatePatchCnnModel(
  issues: Issues,
  obj: Record<string, unknown>,
  path: string,
  base: PatchCnnModel & { outputScale?: number },
): PatchCnnModel | undefined {
  checkKeys(issues, obj, path, PATCH_CNN_MODEL_KEYS);
  const before = issues.count;
  const filters = readNumber(
    issues,
    obj,
    'filters',
    path,
    { integer: true, min: 1, max: LIMITS.patchFilters },
    base.filters,
  );
  const patchDim =
    obj.patchDim === undefined
      ? base.patchDim
      : checkNumber(issues, obj.patchDim, child(path, 'patchDim'), { integer: true, min: 1, max: LIMITS.inputDim });
  const activation = readActivation(issues, obj, path, base.activation);
  const initScale = readNumber(issues, obj, 'initScale', path, INIT_RULE, base.initScale);
  const outputScale = readOutputScale(issues, obj, path, base.outputScale);
  if (issues.count > before || filters === undefined || !activation || initScale === undefined) return undefined;
  const out: PatchCnnModel = { kind: 'patch-cnn', filters, activation, initScale };
  if (patchDim !== undefined) out.patchDim = patchDim;
  if (typeof outputScale === 'number') (out as ModelConfig).outputScale = outputScale;
  return out;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * The checks of a convolutional model that need the data, the loss and the runs. Returns true when
 * the model fits (so its parameter count can be computed). MLPs always fit here.
 */
export function checkModelFitsData(
  issues: Issues,
  exp: { data: DataConfig; model: ModelConfig; loss: LossName; runs?: RunConfig[] },
): boolean {
  const { data, model, loss } = exp;
  if (model.kind === 'mlp') return true;
  const before = issues.count;
  exp.runs?.forEach((run, i) => {
    if (getOptimizer(run.optimizer.name)?.perExampleClip)
      issues.add(
        `runs[${i}].optimizer.name`,
        `"${run.optimizer.name}" clips per-example gradients, which only "mlp" models support; choose another optimizer or set model.kind to "mlp"`,
      );
  });
  const D = dataShape(data).inputDim;
  if (model.kind === 'patch-cnn') {
    if (loss !== 'logistic' && loss !== 'hinge' && loss !== 'mse')
      issues.add(
        'loss',
        `a "patch-cnn" model has one output and needs "logistic", "hinge" or "mse" (the binary squared loss 0.5 (f - y)^2, y = ±1), got ${show(loss)}`,
      );
    else if (loss === 'mse' && dataShape(data).nClasses !== 2) {
      const n = dataShape(data).nClasses;
      issues.add(
        'loss',
        `"mse" on a "patch-cnn" model is the binary squared loss and needs 2-class data, but data (${data.kind}) ${n === 0 ? 'is regression' : `has ${n} classes`}; use 2-class data or another model kind`,
      );
    }
    const d = model.patchDim ?? (data.kind === 'feature-noise' ? data.patchDim : undefined);
    if (d === undefined)
      issues.add(
        'model.patchDim',
        `required for ${data.kind} data (only feature-noise data supplies it); set a divisor of the input dimension ${D}`,
      );
    else if (D % d !== 0)
      issues.add(
        'model.patchDim',
        `${d} does not divide the input dimension ${D} of the ${data.kind} data; use a divisor of ${D}`,
      );
    return issues.count === before;
  }
  let shape: [number, number, number];
  if (model.inputShape) {
    shape = [...model.inputShape];
    const n = shape[0] * shape[1] * shape[2];
    if (n !== D) {
      issues.add(
        'model.inputShape',
        `[${shape.join(', ')}] holds ${fmt(n)} values but the ${data.kind} data has ${fmt(D)} inputs; use a shape whose product is ${D}`,
      );
      return false;
    }
  } else {
    shape = data.kind === 'images' ? [data.channels, data.size, data.size] : [1, 1, D];
  }
  const axes = ['height', 'width'] as const;
  let flat = false;
  model.layers.forEach((layer, i) => {
    if (issues.count > before) return; // one shape problem at a time: later sizes depend on it
    const p = `model.layers[${i}]`;
    if (layer.type === 'flatten') return;
    if (layer.type === 'dense') {
      flat = true;
      return;
    }
    if (flat) return; // reported by validateLayers
    const conv = layer.type === 'conv2d';
    const k = conv ? layer.kernel : layer.size;
    const pad = conv ? layer.padding : [0, 0];
    const out: [number, number, number] = [conv ? layer.channels : shape[0], 0, 0];
    for (let a = 0; a < 2; a++) {
      const size = shape[a + 1] + 2 * pad[a];
      if (size < k[a]) {
        issues.add(
          child(p, conv ? 'kernel' : 'size'),
          `the ${conv ? 'kernel' : 'window'} ${axes[a]} ${k[a]} does not fit this layer's input ${axes[a]} ${shape[a + 1]}` +
            (conv ? ` with padding ${pad[a]}` : '') +
            `; use at most ${size}${conv ? ', more padding' : ''}, or fewer strides and pooling layers before it`,
        );
        return;
      }
      out[a + 1] = Math.floor((size - k[a]) / layer.stride[a]) + 1;
    }
    const values = out[0] * out[1] * out[2];
    if (values > MAX_LAYER_VALUES)
      issues.add(
        p,
        `outputs ${out.join(' x ')} = ${fmt(values)} values per example, over the limit of ${fmt(MAX_LAYER_VALUES)}; use fewer channels, a larger stride or pooling`,
      );
    shape = out;
  });
  return issues.count === before;
}
