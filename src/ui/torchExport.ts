/**
 * "Export as PyTorch" on the page: the folder `npm run cli -- export torch` writes (train.py,
 * config.json, the data and initial weights as .npy), built here by the same pure generator
 * from the same templates, bundled as text, and packed into one ZIP under a top-level folder.
 */
import type { Experiment } from '../schema/types';
import { exportTorchFiles, type TorchTemplates } from '../cli/export_torch';
import { zipStore } from './zip';
import train from '../cli/torch/train.py?raw';
import models from '../cli/torch/models.py?raw';
import curvature from '../cli/torch/curvature.py?raw';
import optimTorch from '../cli/torch/optim_torch.py?raw';
import optimAdaptive from '../cli/torch/optim_adaptive.py?raw';
import optimOther from '../cli/torch/optim_other.py?raw';
import trial from '../cli/torch/trial.py?raw';
import rayTune from '../cli/torch/ray_tune.py?raw';
import slurmArray from '../cli/torch/slurm_array.sbatch?raw';
import slurmSubmit from '../cli/torch/slurm_submit.sh?raw';

const TEMPLATES: TorchTemplates = {
  'train.py': train,
  'models.py': models,
  'curvature.py': curvature,
  'optim_torch.py': optimTorch,
  'optim_adaptive.py': optimAdaptive,
  'optim_other.py': optimOther,
  'trial.py': trial,
  'ray_tune.py': rayTune,
  'slurm_array.sbatch': slurmArray,
  'slurm_submit.sh': slurmSubmit,
};

export interface TorchZip {
  bytes: Uint8Array;
  /** The folder inside the archive. */
  folder: string;
  files: string[];
  /** Metric settings the script does not log. */
  notes: string[];
}

/** The experiment's PyTorch folder as a ZIP, every file under `folder/`. Throws ExportError when it cannot be exported. */
export function torchZip(exp: Experiment, folder: string, modified?: Date): TorchZip {
  const { files, notes } = exportTorchFiles(exp, TEMPLATES);
  const names = Object.keys(files);
  const entries = names.map((name) => ({
    name: `${folder}/${name}`,
    data: files[name],
    mode: name.endsWith('.sh') ? 0o755 : 0o644, // as the CLI writes them
  }));
  return { bytes: zipStore(entries, modified), folder, files: names, notes };
}
