#!/usr/bin/env python3
"""One run of the experiment as a sweep trial, and the gather step; plain Python, no Ray or SLURM.

Written by `npm run cli -- export torch EXPERIMENT.json --sweep ray|slurm`. The launchers
(ray_tune.py, slurm_array.sbatch) start one trial per run of config.json; each trial writes
OUT/metrics-run-<i>.csv and OUT/weights-run-<i>.npy, and the gather step merges the CSV files into
OUT/metrics.csv (run,step,metric,value, the playground CLI's format). The same rows as
`python3 train.py --out OUT`, whose run order they keep.

    python3 trial.py --run I [--run J ...] --out OUT [--device cuda] [--dtype float32] [--steps N]
    python3 trial.py --gather OUT
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import train  # noqa: E402  (train.py beside this file)


def load_config():
    with open(os.path.join(HERE, "config.json"), encoding="utf-8") as f:
        return json.load(f)


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("run,step,metric,value\n")
        f.writelines(f"{r},{step},{metric},{value!r}\n" for r, step, metric, value in rows)


def run_trial(run_index, out_dir, device="cpu", dtype="float64", steps=None, cfg=None):
    """Trains run `run_index` of config.json; writes out_dir/metrics-run-<i>.csv and
    out_dir/weights-run-<i>.npy and returns the metric rows (run, step, metric, value)."""
    cfg = cfg or load_config()
    if not 0 <= run_index < len(cfg["runs"]):
        raise ValueError(f"run index {run_index}: expected 0..{len(cfg['runs']) - 1}")
    torch_dtype = train.torch.float64 if dtype == "float64" else train.torch.float32
    dev = train.torch.device(device)
    data = train.load_data(cfg, torch_dtype, dev)
    run = cfg["runs"][run_index]
    steps = steps or cfg["steps"]
    print(f"run {run_index} ({run['label']}): {run['optimizer']['name']}, {steps} steps")
    rows, weights = train.train_run(run_index, cfg, data, steps, dev, torch_dtype)
    os.makedirs(out_dir, exist_ok=True)
    train.np.save(os.path.join(out_dir, f"weights-run-{run_index}.npy"), weights)
    write_csv(os.path.join(out_dir, f"metrics-run-{run_index}.csv"), rows)
    return rows


def gather(out_dir, n_runs=None):
    """Concatenates out_dir/metrics-run-<i>.csv, run after run, into out_dir/metrics.csv; returns
    the run indices with no file (failed or not started)."""
    n_runs = len(load_config()["runs"]) if n_runs is None else n_runs
    lines, missing = [], []
    for r in range(n_runs):
        path = os.path.join(out_dir, f"metrics-run-{r}.csv")
        if not os.path.exists(path):
            missing.append(r)
            continue
        with open(path, encoding="utf-8") as f:
            lines += f.read().splitlines()[1:]
    with open(os.path.join(out_dir, "metrics.csv"), "w", encoding="utf-8") as f:
        f.write("run,step,metric,value\n" + "".join(line + "\n" for line in lines))
    print(f"wrote {os.path.join(out_dir, 'metrics.csv')} ({n_runs - len(missing)} of {n_runs} runs)")
    if missing:
        print(f"gather: no metrics for runs {missing}")
    return missing


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", type=int, action="append", help="run index (repeatable)")
    ap.add_argument("--out", default=os.path.join(HERE, "results"), help="output folder")
    ap.add_argument("--device", default="cpu", help="cpu, cuda or mps (default cpu)")
    ap.add_argument("--dtype", default="float64", choices=["float32", "float64"])
    ap.add_argument("--steps", type=int, default=None, help="steps per run (default: the experiment's)")
    ap.add_argument("--gather", metavar="OUT", help="merge OUT/metrics-run-*.csv into OUT/metrics.csv")
    args = ap.parse_args()
    cfg = load_config()
    if args.gather:
        return 1 if gather(args.gather, len(cfg["runs"])) else 0
    if not args.run:
        ap.error("expected --run I or --gather OUT")
    if any(not 0 <= r < len(cfg["runs"]) for r in args.run):
        ap.error(f"--run: expected a run index 0..{len(cfg['runs']) - 1}")
    for r in args.run:
        run_trial(r, args.out, args.device, args.dtype, args.steps, cfg)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
