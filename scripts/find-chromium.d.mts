/** Types for find-chromium.mjs (imported by playwright.config.ts). */
export declare const SWIFTSHADER_ICDS: string[];
export declare function findChromium(): string | null;
export declare function findLibVulkan(): string | null;
export declare function findSwiftShaderIcd(): string | null;
export declare function osRelease(): { id: string; like: string };
export declare function isDebianLike(): boolean;
