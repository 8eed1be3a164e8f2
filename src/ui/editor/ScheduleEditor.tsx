/** A run's learning-rate schedule: name, warmup and the schedule's own parameters. */
import type { ScheduleConfig, ScheduleName } from '../../experiment/types';
import { NumberField, SelectField } from './fields';

const NAMES: { value: ScheduleName; label: string }[] = [
  { value: 'constant', label: 'constant' },
  { value: 'step', label: 'step (× gamma every stepSize)' },
  { value: 'exponential', label: 'exponential (× gamma per step)' },
  { value: 'linear', label: 'linear decay to 0' },
  { value: 'cosine', label: 'cosine' },
];

/** A schedule of a new kind with sensible parameters; keeps the warmup. */
export function scheduleOf(name: ScheduleName, prev: ScheduleConfig, steps: number): ScheduleConfig {
  const warm = prev.warmup ? { warmup: prev.warmup } : {};
  switch (name) {
    case 'step':
      return { name, ...warm, stepSize: Math.max(1, Math.floor(steps / 3)), gamma: 0.1 };
    case 'exponential':
      return { name, ...warm, gamma: 0.999 };
    case 'cosine':
      return { name, ...warm, minFactor: 0 };
    case 'refined':
      return prev.name === 'refined' ? prev : { name: 'constant', ...warm };
    default:
      return { name, ...warm };
  }
}

export function ScheduleEditor({
  run,
  schedule,
  steps,
  onChange,
}: {
  run: number;
  schedule: ScheduleConfig;
  steps: number;
  onChange(s: ScheduleConfig): void;
}) {
  const path = `runs[${run}].schedule`;
  const options =
    schedule.name === 'refined'
      ? [...NAMES, { value: 'refined' as const, label: `refined (${schedule.factors?.length ?? 0} factors)` }]
      : NAMES;
  const set = (patch: Partial<ScheduleConfig>) => onChange({ ...schedule, ...patch });
  return (
    <div className="grid2">
      <SelectField<ScheduleName>
        label="Schedule"
        path={`${path}.name`}
        value={schedule.name}
        options={options}
        onChange={(n) => onChange(scheduleOf(n, schedule, steps))}
      />
      <NumberField
        label="Warmup steps"
        path={`${path}.warmup`}
        value={schedule.warmup ?? 0}
        integer
        onCommit={(v) => set({ warmup: v })}
      />
      {schedule.name === 'step' ? (
        <NumberField
          label="stepSize"
          path={`${path}.stepSize`}
          value={schedule.stepSize ?? 1}
          integer
          onCommit={(v) => set({ stepSize: v })}
        />
      ) : null}
      {schedule.name === 'step' || schedule.name === 'exponential' ? (
        <NumberField
          label="gamma"
          path={`${path}.gamma`}
          value={schedule.gamma ?? 0.1}
          onCommit={(v) => set({ gamma: v })}
        />
      ) : null}
      {schedule.name === 'cosine' ? (
        <NumberField
          label="minFactor"
          path={`${path}.minFactor`}
          value={schedule.minFactor ?? 0}
          description="floor as a fraction of the peak lr"
          onCommit={(v) => set({ minFactor: v })}
        />
      ) : null}
    </div>
  );
}
