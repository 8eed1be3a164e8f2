#!/bin/bash
# Submits slurm_array.sbatch (one task per run), then the gather step, which merges each run's
# metrics-run-<i>.csv into OUT/metrics.csv once every task has finished (afterany: a failed run
# is listed as missing). OUT (default results), DEVICE, DTYPE and PYTHON pass through to the tasks.
set -euo pipefail
cd "$(dirname "$0")"
export OUT="${OUT:-results}"
array=$(sbatch --parsable --export=ALL slurm_array.sbatch)
sbatch --dependency=afterany:"${array%%;*}" --job-name=playground-gather --export=ALL \
  --output=slurm-gather-%j.out --wrap "${PYTHON:-python3} trial.py --gather \"${OUT}\""
echo "submitted array job ${array%%;*} and its gather step; results in ${OUT}/metrics.csv"
