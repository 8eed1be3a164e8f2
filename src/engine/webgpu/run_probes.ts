/**
 * A population's per-run probes written into the stats rows: the norms (gradient, weights, step,
 * distance from the start; run_norms.wgsl) and, on feature-noise data, the first layer's
 * alignment with the weak and strong feature directions (alignment.wgsl).
 */
import runNormsWgsl from '../../../shaders/run_norms.wgsl?raw';
import alignmentWgsl from '../../../shaders/alignment.wgsl?raw';
import type { ParamLayout } from '../model/layout';
import { NS, STAT } from '../model/mlp_gpu';
import type { PipelineCache } from './pipelines';
import { storageBuffer, uniformBuffer } from './buffers';
import type { StepSlots } from './step_slots';

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
    private readonly norms: GPUComputePipeline,
    /** Mode 0 (during the step: gradient and step) and mode 1 (after it: weights). */
    private readonly normGroups: GPUBindGroup[],
    private readonly normSteps: GPUBindGroup[],
    private readonly align?: { pipe: GPUComputePipeline; group: GPUBindGroup; steps: GPUBindGroup[] },
  ) {}

  /** Pipelines, uniforms and bind groups; `own` takes each buffer made here (to destroy it with the population). */
  static async create(
    device: GPUDevice,
    pipelines: PipelineCache,
    own: (b: GPUBuffer) => GPUBuffer,
    spec: RunProbesSpec,
  ): Promise<RunProbes> {
    const { runs: R, paramCount: P } = spec;
    const norms = await pipelines.get('run_norms', runNormsWgsl, 'main', { WG: 256 });
    const groups = [0, 1].map((mode) => {
      const u = own(
        uniformBuffer(
          device,
          new Uint32Array([R, P, NS, mode, STAT.gradSq, STAT.weightSq, STAT.stepSq, STAT.w0DistSq]),
          'norms',
        ),
      );
      return device.createBindGroup({
        layout: norms.getBindGroupLayout(0),
        entries: [u, spec.params, spec.grads, spec.prev, spec.stats, spec.prev2, spec.w0].map((buffer, binding) => ({
          binding,
          resource: { buffer },
        })),
      });
    });
    const normSteps = spec.slots.bindGroups(norms, 1);
    const dirs = spec.directions;
    const first = spec.firstLayer;
    let align: { pipe: GPUComputePipeline; group: GPUBindGroup; steps: GPUBindGroup[] } | undefined;
    if (dirs) {
      const pipe = await pipelines.get('alignment', alignmentWgsl, 'main', { WG: 64 });
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
      const group = device.createBindGroup({
        layout: pipe.getBindGroupLayout(0),
        entries: [u, spec.params, own(storageBuffer(device, both, 'dirs')), spec.stats].map((buffer, binding) => ({
          binding,
          resource: { buffer },
        })),
      });
      align = { pipe, group, steps: spec.slots.bindGroups(pipe, 1) };
    }
    return new RunProbes(R, norms, groups, normSteps, align);
  }

  /** The norms into step slot `slot`: mode 0 during the step (gradient, step), 1 after it (weights). */
  encodeNorms(pass: GPUComputePassEncoder, mode: 0 | 1, slot: number): void {
    pass.setPipeline(this.norms);
    pass.setBindGroup(0, this.normGroups[mode]);
    pass.setBindGroup(1, this.normSteps[slot]);
    pass.dispatchWorkgroups(this.runs);
  }

  /** The feature alignments into step slot `slot` (nothing when the data has no feature directions). */
  encodeAlignment(pass: GPUComputePassEncoder, slot: number): void {
    if (!this.align) return;
    pass.setPipeline(this.align.pipe);
    pass.setBindGroup(0, this.align.group);
    pass.setBindGroup(1, this.align.steps[slot]);
    pass.dispatchWorkgroups(this.runs);
  }
}
