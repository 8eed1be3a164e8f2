/**
 * A population's per-run probes written into the stats rows: the norms (gradient, weights, step,
 * distance from the start; run_norms.wgsl) and, on feature-noise data, the first layer's
 * alignment with the weak and strong feature directions (alignment.wgsl).
 */
import runNormsWgsl from '../../../shaders/run_norms.wgsl?raw';
import alignmentWgsl from '../../../shaders/alignment.wgsl?raw';
import type { ParamLayout } from '../model/layout';
import { NS, STAT } from '../model/mlp_gpu';
import { reduceThreads } from '../model/dense_tuning';
import type { PipelineCache } from './pipelines';
import { storageBuffer, uniformBuffer } from './buffers';
import type { StepSlots } from './step_slots';
import {
  bindGroupOf,
  pipelineLayoutOf,
  read,
  rw,
  stepInfoBinding,
  STEP_INFO_BYTES,
  uniform,
  wgslSource,
  windowOf,
  workgroupReduce,
  type KernelIo,
} from './kernel_io';

/**
 * The bindings of run_norms.wgsl: its NormDims, the parameters, gradients, theta_{s-1}, the stats
 * rows it writes, theta_{s-2} and the initial weights; group 1 the step's StepInfo record (one bind
 * group for every slot, at a dynamic offset).
 */
export const RUN_NORMS_IO = [
  { d: uniform('NormDims'), params: read(), grads: read(), prev: read(), stats: rw(), prev2: read(), w0: read() },
  { step: stepInfoBinding(true) },
] as const satisfies KernelIo;

/**
 * The bindings of alignment.wgsl: its AlignDims, the parameters, the weak and strong directions
 * (one buffer, weak first) and the stats rows it writes; group 1 the step's StepInfo record.
 */
export const ALIGNMENT_IO = [
  { d: uniform('AlignDims'), params: read(), dirs: read(), stats: rw() },
  { step: stepInfoBinding(true) },
] as const satisfies KernelIo;

/** run_norms' four sums reduced in lockstep as one vec4f: component-wise, the same f32 adds in the same order. */
const SUM4 = workgroupReduce('sum4', 'vec4f');
/** alignment's maximum over the units (a component-wise max of vec2f, no arg-max: no ties to break). */
const BEST = workgroupReduce('best', 'vec2f', 'WG', 'max(a, b)');

interface Probe {
  pipe: GPUComputePipeline;
  step: GPUBindGroup;
}

export interface RunProbesSpec {
  runs: number;
  paramCount: number;
  params: GPUBuffer;
  grads: GPUBuffer;
  /** theta_{s-1} and theta_{s-2} of the logged step s, and the initial weights. */
  prev: GPUBuffer;
  prev2: GPUBuffer;
  w0: GPUBuffer;
  stats: GPUBuffer;
  slots: StepSlots;
  firstLayer: ParamLayout['layers'][number];
  directions?: { weak: Float32Array; strong: Float32Array };
}

export class RunProbes {
  private constructor(
    private readonly runs: number,
    private readonly slots: StepSlots,
    private readonly norms: Probe,
    /** Mode 0 (during the step: gradient and step) and mode 1 (after it: weights). */
    private readonly normGroups: GPUBindGroup[],
    private readonly align?: Probe & { group: GPUBindGroup },
  ) {}

  /** Pipelines, uniforms and bind groups; `own` takes each buffer made here (to destroy it with the population). */
  static async create(
    device: GPUDevice,
    pipelines: PipelineCache,
    own: (b: GPUBuffer) => GPUBuffer,
    spec: RunProbesSpec,
  ): Promise<RunProbes> {
    const { runs: R, paramCount: P } = spec;
    const stepInfo = windowOf(spec.slots.buffer, STEP_INFO_BYTES);
    const normsPipe = await pipelines.get(
      'run_norms',
      wgslSource(RUN_NORMS_IO, runNormsWgsl, [SUM4]),
      'main',
      { WG: reduceThreads(device, 256) },
      pipelineLayoutOf(device, RUN_NORMS_IO),
    );
    const norms = { pipe: normsPipe, step: bindGroupOf(device, 'run_norms.step', RUN_NORMS_IO[1], { step: stepInfo }) };
    const groups = [0, 1].map((mode) => {
      const u = own(
        uniformBuffer(
          device,
          new Uint32Array([R, P, NS, mode, STAT.gradSq, STAT.weightSq, STAT.stepSq, STAT.w0DistSq]),
          'norms',
        ),
      );
      const { params, grads, prev, stats, prev2, w0 } = spec;
      return bindGroupOf(device, `run_norms.mode${mode}`, RUN_NORMS_IO[0], {
        d: u,
        params,
        grads,
        prev,
        stats,
        prev2,
        w0,
      });
    });
    const dirs = spec.directions;
    const first = spec.firstLayer;
    let align: (Probe & { group: GPUBindGroup }) | undefined;
    if (dirs) {
      const pipe = await pipelines.get(
        'alignment',
        wgslSource(ALIGNMENT_IO, alignmentWgsl, [BEST]),
        'main',
        { WG: 64 },
        pipelineLayoutOf(device, ALIGNMENT_IO),
      );
      const both = new Float32Array(2 * first.inDim);
      both.set(dirs.weak, 0);
      both.set(dirs.strong, first.inDim);
      const u = own(
        uniformBuffer(
          device,
          new Uint32Array([R, P, first.outDim, first.inDim, first.weightOffset, NS, STAT.weakAlign, 0]),
          'align',
        ),
      );
      const group = bindGroupOf(device, 'alignment', ALIGNMENT_IO[0], {
        d: u,
        params: spec.params,
        dirs: own(storageBuffer(device, both, 'dirs')),
        stats: spec.stats,
      });
      align = { pipe, group, step: bindGroupOf(device, 'alignment.step', ALIGNMENT_IO[1], { step: stepInfo }) };
    }
    return new RunProbes(R, spec.slots, norms, groups, align);
  }

  /** The norms into step slot `slot`: mode 0 during the step (gradient, step), 1 after it (weights). */
  encodeNorms(pass: GPUComputePassEncoder, mode: 0 | 1, slot: number): void {
    this.dispatch(pass, this.norms, this.normGroups[mode], slot);
  }

  /** The feature alignments into step slot `slot` (nothing when the data has no feature directions). */
  encodeAlignment(pass: GPUComputePassEncoder, slot: number): void {
    if (this.align) this.dispatch(pass, this.align, this.align.group, slot);
  }

  private dispatch(pass: GPUComputePassEncoder, probe: Probe, group: GPUBindGroup, slot: number): void {
    pass.setPipeline(probe.pipe);
    pass.setBindGroup(0, group);
    pass.setBindGroup(1, probe.step, [this.slots.offset(slot)]);
    pass.dispatchWorkgroups(this.runs);
  }
}
