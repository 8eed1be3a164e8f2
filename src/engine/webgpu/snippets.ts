/**
 * WGSL snippets shared by kernels in several folders (composed with wgslSource, kernel_io.ts). The
 * kernel-independent ones that need no source file (StepInfo, workgroup reductions) live in
 * kernel_io.ts itself.
 */
import prngWgsl from '../../../shaders/prng.wgsl?raw';
import { snippet } from './kernel_io';

/**
 * The counter-based PRNG (shaders/prng.wgsl: hash32, rngU32, rngUniform, rngNormal, rngRademacher and
 * the STREAM_* constants), bit-identical to src/engine/data/prng.ts.
 */
export const PRNG = snippet('prng', prngWgsl);
