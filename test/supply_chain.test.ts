/**
 * Supply chain (issue 8), the part that can be checked offline: `npm audit` needs the registry's
 * advisory endpoint (run `npm run audit` where it is reachable); this test checks that every
 * runtime dependency is pinned to an exact version, is actually imported by the app, and that the
 * lockfile pins the same versions with an integrity hash for every package it installs.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<
    string,
    {
      version?: string;
      resolved?: string;
      integrity?: string;
      link?: boolean;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    }
  >;
};
const runtime = pkg.dependencies ?? {};
const dev = pkg.devDependencies ?? {};

/** A plain semver version: no range, tag, URL, path or git reference. */
const EXACT = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

/** The bare package name of an import specifier ('react-dom/client' -> 'react-dom', '@a/b/c' -> '@a/b'). */
function packageOf(spec: string): string | undefined {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) return undefined;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Packages imported (statically or dynamically) by the app's non-test sources under src/. */
function importedPackages(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(re)) {
      const name = packageOf(m[1].replace(/\?.*$/, ''));
      if (!name) continue;
      const list = found.get(name) ?? [];
      list.push(relative(ROOT, file));
      found.set(name, list);
    }
  }
  return found;
}

describe('supply chain (offline checks)', () => {
  it('every runtime and dev dependency is pinned to an exact version', () => {
    const loose = Object.entries({ ...runtime, ...dev })
      .filter(([, v]) => !EXACT.test(v))
      .map(([k, v]) => `${k}@${v}`);
    expect(loose, 'dependencies with a range, tag or URL instead of an exact version').toEqual([]);
  });

  it('every runtime dependency is imported somewhere under src/ (no unneeded runtime dependency)', () => {
    const imported = importedPackages();
    const unused = Object.keys(runtime).filter((name) => !imported.has(name));
    expect(unused, 'runtime dependencies that no source file under src/ imports').toEqual([]);
  });

  it('what src/ imports from npm is a declared runtime dependency (not only a dev dependency)', () => {
    const imported = importedPackages();
    // Node-only imports: `webgpu` (the CLI's WebGPU) and `vitest` (engine/webgpu/testing.ts) are never in
    // the browser bundle.
    const nodeOnly = new Set(['webgpu', 'vitest']);
    const undeclared = [...imported.keys()].filter((name) => !(name in runtime) && !nodeOnly.has(name));
    const detail = undeclared.map((n) => `${n} (${imported.get(n)![0]})`);
    expect(detail, 'packages imported by src/ but not listed in dependencies').toEqual([]);
  });

  it('the lockfile records the same exact versions as package.json', () => {
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(2);
    const root = lock.packages[''];
    expect(root.dependencies ?? {}).toEqual(runtime);
    expect(root.devDependencies ?? {}).toEqual(dev);
    for (const [name, version] of Object.entries({ ...runtime, ...dev })) {
      const entry = lock.packages[`node_modules/${name}`];
      expect(entry, `package-lock.json has no entry for ${name}`).toBeDefined();
      expect(entry.version, `${name}: lockfile version`).toBe(version);
    }
  });

  it('every installed package in the lockfile has a sha512 integrity hash and comes from the registry', () => {
    const problems: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path === '' || entry.link) continue;
      if (!entry.version || !EXACT.test(entry.version)) problems.push(`${path}: version ${String(entry.version)}`);
      if (!entry.integrity || !/^sha512-[A-Za-z0-9+/]+=*$/.test(entry.integrity))
        problems.push(`${path}: no sha512 integrity hash`);
      // npm leaves `resolved` out for registry tarballs when omit-lockfile-registry-resolved is set;
      // when present it must be an https registry tarball, never git, a file path or plain http.
      if (entry.resolved !== undefined && !/^https:\/\/registry\.npmjs\.org\/.+\.tgz$/.test(entry.resolved))
        problems.push(`${path}: resolved from ${entry.resolved}`);
    }
    expect(problems).toEqual([]);
  });
});
