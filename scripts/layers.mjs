/**
 * The source tree's layers, which import one way only:
 *
 *   src/schema      the experiment format (types, field readers, limits): imports nothing of ours
 *   src/engine      training on WebGPU and on the CPU: may import src/schema, never the layers above
 *   src/experiment  parsing, validation, the URL codec, presets and claims, on schema and the engine
 *   src/worker, src/cli, src/ui   on top of all of them
 *
 * `layerViolation` says whether one import breaks this; eslint.config.js runs it as the rule
 * `layers/boundaries` (so `npm run lint` fails on a violation) and test/layers.test.ts runs it
 * over every source file (so `npm test` fails too).
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * One entry per guarded folder (or file), relative to the repository root: `only` lists where its
 * relative imports may point; `never` lists where they may not. Packages (bare specifiers) are not
 * checked.
 */
export const LAYERS = [
  { from: 'src/schema', only: ['src/schema'], why: 'src/schema is the leaf layer: it imports nothing of ours' },
  {
    from: 'src/engine',
    never: ['src/experiment', 'src/ui', 'src/worker', 'src/cli'],
    why: 'the engine sits below experiment/, worker/, cli/ and ui/ (it may import src/schema)',
  },
  {
    from: 'src/experiment',
    never: ['src/ui', 'src/worker', 'src/cli'],
    why: 'experiment/ sits below worker/, cli/ and ui/',
  },
  { from: 'src/worker', never: ['src/ui', 'src/cli'], why: 'the worker sits below ui/ and cli/' },
  {
    from: 'src/test_fixtures.ts',
    only: ['src/schema'],
    why: 'the shared test fixtures are plain experiments that every layer, the engine included, can use',
  },
];

const posix = (p) => p.split(sep).join('/');
const inside = (path, dir) => path === dir || path.startsWith(dir + '/');

/**
 * The rule `file` (absolute, or relative to the root) breaks by importing `specifier`, as a
 * message, or null when the import is allowed.
 */
export function layerViolation(file, specifier) {
  if (!specifier.startsWith('.')) return null;
  const from = posix(relative(ROOT, resolve(ROOT, file)));
  const target = posix(relative(ROOT, resolve(ROOT, dirname(from), specifier.replace(/\?.*$/, ''))));
  for (const layer of LAYERS) {
    if (!inside(from, layer.from)) continue;
    const bad = layer.only ? !layer.only.some((d) => inside(target, d)) : layer.never.some((d) => inside(target, d));
    if (bad) return `${from} may not import ${target} (${specifier}): ${layer.why}`;
  }
  return null;
}

/** The ESLint plugin: rule `boundaries` reports every import, re-export and import() that breaks a layer. */
export const layersPlugin = {
  rules: {
    boundaries: {
      meta: {
        type: 'problem',
        docs: { description: 'Keep imports pointing down the layers of scripts/layers.mjs' },
        schema: [],
      },
      create(context) {
        const check = (node) => {
          const src = node.source;
          if (!src || src.type !== 'Literal' || typeof src.value !== 'string') return;
          const message = layerViolation(context.filename, src.value);
          if (message) context.report({ node: src, message });
        };
        return {
          ImportDeclaration: check,
          ExportNamedDeclaration: check,
          ExportAllDeclaration: check,
          ImportExpression: check,
        };
      },
    },
  },
};
