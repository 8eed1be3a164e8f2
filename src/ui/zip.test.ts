/**
 * The ZIP writer against Python's zipfile (an independent reader: it checks every CRC-32), and the
 * page's PyTorch export: its archive unpacks to the folder `export torch` writes, byte for byte,
 * and the unpacked train.py runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32, zipStore } from './zip';
import { torchZip } from './torchExport';
import { exportTorch } from '../cli/export_torch_write';
import { ExportError } from '../cli/export_torch';
import { defaultExperiment } from '../experiment/defaults';

const PYTHON = '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function py(args: string[]): string {
  const res = spawnSync(PYTHON, args, { encoding: 'utf8', timeout: 120_000 });
  expect(res.status, `${args.join(' ')}:\n${res.stdout}\n${res.stderr}`).toBe(0);
  return res.stdout;
}

describe('zipStore', () => {
  it('crc32 gives the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('Python unzips what it writes: names (UTF-8 too), bytes, modes and times', () => {
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256);
    const entries = [
      { name: 'f/a.txt', data: new TextEncoder().encode('hello\n') },
      { name: 'f/empty', data: new Uint8Array(0) },
      { name: 'f/sub/binary.bin', data: bytes },
      { name: 'f/grüße ✓.txt', data: new TextEncoder().encode('ü') },
      { name: 'f/run.sh', data: new TextEncoder().encode('#!/bin/sh\n'), mode: 0o755 },
    ];
    const file = join(dir, 'test.zip');
    writeFileSync(file, zipStore(entries, new Date(2026, 0, 31, 12, 34, 56)));
    py(['-m', 'zipfile', '-t', file]); // every CRC-32 checked
    const out = join(dir, 'unzipped');
    py(['-m', 'zipfile', '-e', file, out]);
    for (const e of entries) expect(new Uint8Array(readFileSync(join(out, e.name)))).toEqual(e.data);
    const info = py([
      '-c',
      'import sys, zipfile; [print(i.filename, oct(i.external_attr >> 16), i.date_time, i.compress_type) for i in zipfile.ZipFile(sys.argv[1]).infolist()]',
      file,
    ]);
    expect(info).toContain('f/run.sh 0o100755 (2026, 1, 31, 12, 34, 56) 0');
    expect(info).toContain('f/grüße ✓.txt 0o100644');
  });

  it('refuses names that would leave the folder', () => {
    expect(() => zipStore([{ name: '../x', data: new Uint8Array(1) }])).toThrow(/bad file name/);
    expect(() => zipStore([{ name: '/etc/x', data: new Uint8Array(1) }])).toThrow(/bad file name/);
  });
});

describe('Export as PyTorch (the page)', () => {
  it('the archive holds the folder the CLI writes, byte for byte, and its train.py runs', async () => {
    const exp = { ...defaultExperiment(), steps: 20 };
    const z = torchZip(exp, 'playground-torch');
    const file = join(dir, 'torch.zip');
    writeFileSync(file, z.bytes);
    const out = join(dir, 'page');
    py(['-m', 'zipfile', '-e', file, out]);
    const cli = join(dir, 'cli');
    const s = await exportTorch(exp, cli);
    const unzipped = join(out, 'playground-torch');
    expect(readdirSync(unzipped).sort()).toEqual([...s.files].sort());
    expect(z.files.sort()).toEqual([...s.files].sort());
    for (const f of s.files) expect(readFileSync(join(unzipped, f)).equals(readFileSync(join(cli, f))), f).toBe(true);
    expect(statSync(join(unzipped, 'train.py')).isFile()).toBe(true);
    py([join(unzipped, 'train.py'), '--steps', '3']);
    expect(readFileSync(join(unzipped, 'metrics.csv'), 'utf8').split('\n')[0]).toBe('run,step,metric,value');
  });

  it('refuses what the CLI refuses, naming the field', () => {
    const exp = defaultExperiment();
    const other = { ...exp, model: { kind: 'transformer' } as unknown as typeof exp.model };
    expect(() => torchZip(other, 'x')).toThrow(ExportError);
    expect(() => torchZip(other, 'x')).toThrow(/model\.kind/);
    const patchCnn = { kind: 'patch-cnn' as const, filters: 4, activation: 'relu' as const, initScale: 1 };
    expect(torchZip({ ...exp, model: patchCnn }, 'x').files).toContain('init-run-0.npy');
  });
});
