/**
 * The CLI as a function: argv in, exit code out (0 ok, 1 runtime failure, 2 bad arguments or
 * bad experiment). Heavy modules (the engine) load only when a command needs them.
 */
import type { Experiment, ValidationError } from '../schema/types';
import type { Backend } from './args';
import type { SeedOutcome } from './check_presets';
import { formatErrors } from '../experiment/validate';
import { USAGE, parseArgs, type CheckPresetsCommand, type ExportCommand, type RunCommand } from './args';
import type { RunDeps } from './run';
import type { ErrStream } from './progress';

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: ErrStream;
  /** Test hook: replaces the engine (trainer factory, dataset generator, clock). */
  deps?: Partial<RunDeps>;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const usageError = (errors: ValidationError[]) => {
    for (const line of formatErrors(errors)) io.stderr.write(`${line}\n`);
    return 2;
  };
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    usageError(parsed.errors);
    io.stderr.write(`\n${USAGE}\n`);
    return 2;
  }
  const cmd = parsed.value;
  try {
    switch (cmd.kind) {
      case 'help':
        io.stdout.write(`${USAGE}\n`);
        return 0;
      case 'list': {
        const { listText } = await import('./list');
        io.stdout.write(listText());
        return 0;
      }
      case 'refine': {
        const { refineCommand, InputError } = await import('./refine');
        try {
          io.stdout.write(`${await refineCommand(cmd)}\n`);
          return 0;
        } catch (e) {
          if (e instanceof InputError) return usageError(e.errors);
          throw e;
        }
      }
      case 'run':
        return await runCmd(cmd, io, usageError);
      case 'check-presets':
        return await checkPresetsCmd(cmd, io, usageError);
      case 'export':
        return await exportCmd(cmd, io, usageError);
    }
  } catch (e) {
    io.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

async function runCmd(cmd: RunCommand, io: CliIo, usageError: (errors: ValidationError[]) => number): Promise<number> {
  const { loadExperiment, withSteps } = await import('./source');
  const loaded = await loadExperiment(cmd.source);
  if (!loaded.ok) return usageError(loaded.errors);
  const exp = withSteps(loaded.value, cmd.steps);
  if (!exp.ok) return usageError(exp.errors);
  const { runExperiment } = await import('./run');
  const deps: RunDeps = {
    createTrainer: io.deps?.createTrainer ?? (async (e, o) => (await import('../engine/create')).createTrainer(e, o)),
    generateDataset: io.deps?.generateDataset ?? (await import('../engine/data/index')).generateDataset,
    now: io.deps?.now ?? (() => performance.now()),
    stderr: io.deps?.stderr ?? io.stderr,
  };
  const summary = await runExperiment(
    exp.value,
    { out: cmd.out, backend: cmd.backend, saveWeights: cmd.saveWeights, saveData: cmd.saveData, slice: cmd.slice },
    deps,
  );
  const diverged = summary.runs.filter((r) => r.diverged).length;
  io.stdout.write(
    `${summary.steps} steps x ${summary.runs.length} runs on ${summary.backend} (${summary.adapter}) in ${summary.wallTimeSec.toFixed(2)} s ` +
      `(${summary.stepsPerSecond.toFixed(1)} steps/s)${diverged ? `, ${diverged} diverged` : ''}; wrote ${cmd.out}\n`,
  );
  return 0;
}

async function checkPresetsCmd(
  cmd: CheckPresetsCommand,
  io: CliIo,
  usageError: (errors: ValidationError[]) => number,
): Promise<number> {
  const { availablePresets } = await import('../experiment/presets');
  const { checkPresetSeed, checkSeeds, claimTable } = await import('./check_presets');
  const presets = availablePresets();
  const unknown = cmd.only.filter((id) => !presets.some((p) => p.id === id));
  if (unknown.length)
    return usageError([
      {
        path: '--only',
        message: `unknown preset ${unknown.join(', ')}; presets are ${presets.map((p) => p.id).join(', ')}`,
      },
    ]);
  const createTrainer =
    io.deps?.createTrainer ??
    (async (e: Experiment, o: { backend: Backend }) => (await import('../engine/create')).createTrainer(e, o));
  let failed = 0;
  let total = 0;
  for (const p of presets) {
    if (cmd.only.length && !cmd.only.includes(p.id)) continue;
    const outcomes: SeedOutcome[] = [];
    for (const seed of checkSeeds(p, cmd.seeds)) {
      outcomes.push(
        await checkPresetSeed(p, seed, {
          backend: cmd.backend,
          createTrainer,
        }),
      );
    }
    for (const line of claimTable(p, outcomes)) io.stdout.write(`${line}\n`);
    p.claims.forEach((_c, i) => {
      total++;
      if (outcomes.some((o) => o.results[i].status !== 'seen')) failed++;
    });
  }
  io.stdout.write(`${total - failed} of ${total} claims held on every seed (${cmd.seeds} seeds, ${cmd.backend})\n`);
  return failed ? 1 : 0;
}

async function exportCmd(
  cmd: ExportCommand,
  io: CliIo,
  usageError: (errors: ValidationError[]) => number,
): Promise<number> {
  const { loadExperiment } = await import('./source');
  const loaded = await loadExperiment(cmd.source);
  if (!loaded.ok) return usageError(loaded.errors);
  const { ExportError } = await import('./export_torch');
  const { exportTorch } = await import('./export_torch_write');
  try {
    const s = await exportTorch(loaded.value, cmd.out, { sweep: cmd.sweep });
    for (const n of s.notes) io.stderr.write(`note: not in the script: ${n}\n`);
    io.stdout.write(
      `wrote ${cmd.out}/train.py (${s.scriptLines} lines) and ${s.files.length - 1} files beside it; run: python3 ${cmd.out}/train.py\n`,
    );
    if (cmd.sweep?.kind === 'ray') io.stdout.write(`sweep: python3 ${cmd.out}/ray_tune.py (needs Ray)\n`);
    if (cmd.sweep?.kind === 'slurm') io.stdout.write(`sweep: ${cmd.out}/slurm_submit.sh (on a SLURM login node)\n`);
    return 0;
  } catch (e) {
    if (e instanceof ExportError) return usageError(e.errors);
    throw e;
  }
}
