#!/usr/bin/env python3
"""Ray Tune launcher: one trial per run of config.json, then the gather step.

Written by `npm run cli -- export torch EXPERIMENT.json --sweep ray`. Needs Ray (pip install
"ray[tune]") besides PyTorch and NumPy. Each trial calls trial.run_trial(i, OUT), the plain-Python
trial that also runs alone (python3 trial.py --run I --out OUT); afterwards OUT/metrics.csv holds
every run's rows in the playground's format. On a cluster, OUT must be on a shared filesystem.

    python3 ray_tune.py [--out OUT] [--gpus-per-trial G] [--cpus-per-trial C] [--dtype float32]
"""
import argparse
import json
import os
import sys

from ray import tune

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import trial  # noqa: E402  (trial.py beside this file: run_trial and gather)


def main():
    with open(os.path.join(HERE, "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    sweep = cfg.get("sweep", {})
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(HERE, "results"), help="output folder")
    ap.add_argument("--gpus-per-trial", type=float, default=sweep.get("gpusPerTrial", 1))
    ap.add_argument("--cpus-per-trial", type=float, default=sweep.get("cpusPerTrial", 1))
    ap.add_argument("--dtype", default="float64", choices=["float32", "float64"])
    ap.add_argument("--steps", type=int, default=None, help="steps per run (default: the experiment's)")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    device = "cuda" if args.gpus_per_trial > 0 else "cpu"

    def trainable(config):
        sys.path.insert(0, HERE)  # in a Ray worker process: import trial.py from this folder again
        import trial as worker_trial

        rows = worker_trial.run_trial(config["run"], out, device, args.dtype, args.steps)
        final = {m: v for _, _, m, v in rows}  # each metric's last logged value
        # A function trainable's returned dict is its final result (the same in every Ray 2.x,
        # whose report function moved between ray.tune, ray.air.session and ray.train).
        return {"train_loss": final.get("train_loss", float("nan")), "rows": len(rows)}

    resources = {"cpu": args.cpus_per_trial, "gpu": args.gpus_per_trial}
    tuner = tune.Tuner(
        tune.with_resources(trainable, resources),
        param_space={"run": tune.grid_search(list(range(len(cfg["runs"]))))},
        tune_config=tune.TuneConfig(metric="train_loss", mode="min"),
    )
    results = tuner.fit()
    print(f"{len(results)} trials, {results.num_errors} failed")
    return 1 if trial.gather(out, len(cfg["runs"])) else 0


if __name__ == "__main__":
    raise SystemExit(main())
