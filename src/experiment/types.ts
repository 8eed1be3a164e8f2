/**
 * The experiment format lives in src/schema/types.ts (a leaf the engine can import). This module
 * re-exports it so that the UI and experiment/ keep their import path; new code below the
 * experiment layer (engine, cli, worker) imports src/schema directly.
 */
export * from '../schema/types';
