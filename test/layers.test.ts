/**
 * The layer rule of scripts/layers.mjs over every source file, so that `npm test` (which does not
 * run the linter) fails on an import that points up the layers, as `npm run lint` does.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT, layerViolation } from '../scripts/layers.mjs';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

/** Every module specifier of a file: imports, re-exports, import() and import types. */
function specifiers(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

describe('layers: imports point one way (schema <- engine <- experiment <- worker, cli, ui)', () => {
  it('no source file imports a layer above its own', () => {
    const files = sourceFiles(join(ROOT, 'src'));
    expect(files.length).toBeGreaterThan(100);
    const problems = files.flatMap((f) => specifiers(f).flatMap((s) => layerViolation(relative(ROOT, f), s) ?? []));
    expect(problems).toEqual([]);
  });

  it('catches a planted violation in each direction', () => {
    expect(layerViolation('src/engine/hyper.ts', '../experiment/types')).toMatch(
      /may not import src\/experiment\/types/,
    );
    expect(layerViolation('src/engine/optim/sgd.ts', '../../ui/store')).toMatch(/may not import src\/ui\/store/);
    expect(layerViolation('src/schema/limits.ts', '../engine/data/csv')).toMatch(/leaf layer/);
    expect(layerViolation('src/experiment/codec.ts', '../worker/protocol')).not.toBeNull();
    expect(layerViolation('src/test_fixtures.ts', './experiment/defaults')).not.toBeNull();
    // Allowed: down the layers, within a layer, packages and shader sources.
    expect(layerViolation('src/engine/hyper.ts', '../schema/types')).toBeNull();
    expect(layerViolation('src/experiment/validate.ts', '../engine/optim/registry')).toBeNull();
    expect(layerViolation('src/schema/limits.ts', './types')).toBeNull();
    expect(layerViolation('src/engine/optim/sgd.ts', '../../../shaders/optim_sgd.wgsl?raw')).toBeNull();
    expect(layerViolation('src/engine/hyper.ts', 'fflate')).toBeNull();
  });
});
