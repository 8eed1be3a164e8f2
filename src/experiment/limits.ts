/**
 * Size limits and the network shape an experiment implies, gathered for the UI and experiment/:
 * the limits and data kinds are src/schema/limits.ts; dataShape and paramsPerRun are the engine's
 * (engine/data/shape.ts, engine/model/shape.ts), computed from the config alone.
 */
export { LIMITS, DATA_KINDS, networkOutputs, mlpParamCount, type DataShape } from '../schema/limits';
export { dataShape } from '../engine/data/shape';
export { paramsPerRun } from '../engine/model/shape';
