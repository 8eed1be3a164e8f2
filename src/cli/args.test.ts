import { describe, expect, it } from 'vitest';
import { parseArgs, type Command } from './args';
import { formatErrors } from '../experiment/validate';

function ok(argv: string[]): Command {
  const res = parseArgs(argv);
  if (!res.ok) throw new Error(formatErrors(res.errors).join('\n'));
  return res.value;
}
function errs(argv: string[]): string[] {
  const res = parseArgs(argv);
  expect(res.ok).toBe(false);
  return res.ok ? [] : formatErrors(res.errors);
}

describe('parseArgs', () => {
  it('parses run with defaults and with every option', () => {
    expect(ok(['run', 'exp.json', '--out', 'o'])).toEqual({
      kind: 'run',
      source: 'exp.json',
      out: 'o',
      backend: 'webgpu',
      saveWeights: false,
      saveData: false,
    });
    expect(
      ok([
        'run',
        '--steps=100',
        '--backend',
        'cpu',
        'https://x/#e=1.abc',
        '--out=dir',
        '--save-weights',
        '--save-data',
      ]),
    ).toEqual({
      kind: 'run',
      source: 'https://x/#e=1.abc',
      out: 'dir',
      steps: 100,
      backend: 'cpu',
      saveWeights: true,
      saveData: true,
    });
  });

  it('reports bad run arguments specifically', () => {
    expect(errs(['run', 'a.json'])).toEqual(['--out: is required']);
    expect(errs(['run', '--out', 'o'])).toEqual(['<file.json | experiment URL>: missing']);
    expect(errs(['run', 'a.json', 'b.json', '--out', 'o'])[0]).toContain('expected one, got 2');
    expect(errs(['run', 'a.json', '--out', 'o', '--stpes', '5'])[0]).toMatch(
      /^--stpes: unknown option \(did you mean --steps\?\)/,
    );
    expect(errs(['run', 'a.json', '--out', 'o', '--steps', 'abc'])).toEqual([
      '--steps: expected an integer >= 1 and <= 1000000, got "abc"',
    ]);
    expect(errs(['run', 'a.json', '--out', 'o', '--steps', '0'])[0]).toContain('got "0"');
    expect(errs(['run', 'a.json', '--out', 'o', '--steps', '1.5'])[0]).toContain('got "1.5"');
    expect(errs(['run', 'a.json', '--out', 'o', '--steps'])[0]).toBe(
      '--steps: expects a value (an integer >= 1 and <= 1000000)',
    );
    expect(errs(['run', 'a.json', '--out', 'o', '--backend', 'cuda'])).toEqual([
      '--backend: expected webgpu or cpu, got "cuda"',
    ]);
    expect(errs(['run', 'a.json', '--out', 'o', '--save-data=yes'])[0]).toContain('is a flag');
    expect(errs(['run', 'a.json', '--out', 'o', '--out', 'p'])[0]).toBe('--out: given more than once');
    expect(errs(['run', 'a.json', '--out', 'o', '-x'])[0]).toMatch(/^-x: unknown option/);
  });

  it('parses refine and list', () => {
    expect(ok(['refine', 'dir', '--run', '1', '--out', 'f.json'])).toEqual({
      kind: 'refine',
      dir: 'dir',
      run: 1,
      tau: 0.1,
      out: 'f.json',
    });
    expect(ok(['refine', 'dir', '--run', '0', '--tau', '0.25', '--out', 'f.json'])).toMatchObject({ tau: 0.25 });
    expect(errs(['refine', 'dir', '--out', 'f.json'])).toEqual(['--run: is required']);
    expect(errs(['refine', 'dir', '--run', '-1', '--out', 'f.json'])[0]).toContain('--run: expected an integer >= 0');
    expect(errs(['refine', 'dir', '--run', '0', '--tau', '0', '--out', 'f.json'])[0]).toContain(
      '--tau: expected a number > 0 and <= 1',
    );
    expect(ok(['list'])).toEqual({ kind: 'list' });
    expect(errs(['list', 'extra'])[0]).toContain('list takes no arguments');
  });

  it('handles help and unknown commands', () => {
    for (const argv of [[], ['help'], ['--help'], ['run', '--help']]) expect(ok(argv)).toEqual({ kind: 'help' });
    expect(errs(['rn'])[0]).toBe(
      'rn: unknown command (did you mean "run"?); commands are run, refine, list, check-presets, export, help',
    );
  });
});

describe('export', () => {
  it('takes a target (torch), one experiment and --out, and names what is missing or wrong', () => {
    expect(ok(['export', 'torch', 'e.json', '--out', 'dir'])).toEqual({
      kind: 'export',
      target: 'torch',
      source: 'e.json',
      out: 'dir',
    });
    expect(errs(['export', 'jax', 'e.json', '--out', 'd'])).toEqual(['jax: unknown export target; expected "torch"']);
    expect(errs(['export', 'torch', '--out', 'd'])).toEqual(['<file.json | experiment URL>: missing']);
    expect(errs(['export', 'torch', 'e.json'])).toEqual(['--out: is required']);
    expect(errs(['export'])[0]).toBe('TARGET: missing; expected "torch"');
  });
});

describe('check-presets', () => {
  it('defaults to 3 seeds on the CPU, takes --only, --seeds and --backend, and names bad values', () => {
    expect(ok(['check-presets'])).toEqual({ kind: 'check-presets', seeds: 3, backend: 'cpu', only: [] });
    expect(ok(['check-presets', '--seeds', '5', '--backend', 'webgpu', '--only', 'a, b'])).toEqual({
      kind: 'check-presets',
      seeds: 5,
      backend: 'webgpu',
      only: ['a', 'b'],
    });
    expect(errs(['check-presets', '--seeds', '0']).join(' ')).toMatch(/--seeds/);
    expect(errs(['check-presets', 'extra']).join(' ')).toMatch(/no positional/);
  });
});

describe('--slice', () => {
  it('accepts eigen, update and eigen2, and names the flag on anything else', () => {
    const a = parseArgs(['run', 'e.json', '--out', 'o', '--slice', 'eigen']);
    expect(a.ok && a.value.kind === 'run' && a.value.slice).toBe('eigen');
    const c = parseArgs(['run', 'e.json', '--out', 'o', '--slice', 'eigen2']);
    expect(c.ok && c.value.kind === 'run' && c.value.slice).toBe('eigen2');
    const b = parseArgs(['run', 'e.json', '--out', 'o', '--slice', 'sideways']);
    expect(b.ok).toBe(false);
    if (!b.ok)
      expect(b.errors[0]).toEqual({
        path: '--slice',
        message: 'expected "eigen", "update" or "eigen2", got "sideways"',
      });
  });
});
