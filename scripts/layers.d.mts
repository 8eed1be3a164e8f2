/** Types for layers.mjs (imported by eslint.config.js and test/layers.test.ts). */
export declare const ROOT: string;
export declare const LAYERS: { from: string; only?: string[]; never?: string[]; why: string }[];
export declare function layerViolation(file: string, specifier: string): string | null;
export declare const layersPlugin: { rules: Record<string, unknown> };
