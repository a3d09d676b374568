#!/usr/bin/python3
"""The engine, end to end, is at least as good as the obvious baseline
(bench/baseline.py: igraph Leiden on the combined graph, events as weights,
no hub damping, networks ranked by evidence count, targets by degree) on
every metric of `sourcetrace eval`, and strictly better on most of them.

usage: engine_beats_baseline.py SOURCETRACE_BINARY WORK_DIR

A generated market of 8000 sellers (the generator's default seed, 1), the
engine as `sourcetrace run`, both results scored by
`sourcetrace eval`. On failure both JSON documents are printed.
"""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
JOB = os.path.join(ROOT, "jobs/default.toml")
BASELINE = os.path.join(ROOT, "bench/baseline.py")
SELLERS, SEED = 8000, 1
METRICS = ("members_precision", "members_recall", "mean_ring_jaccard", "rings_found", "targets_precision",
           "supply_cut")
STRICTLY_BETTER_AT_LEAST = 4  # of the 6


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print("FAILED (exit %d): %s\n%s%s" % (p.returncode, " ".join(cmd), p.stdout, p.stderr))
        sys.exit(1)
    return p.stdout


def evaluate(binary, outdir, dataset):
    return json.loads(run([binary, "eval", outdir, "--truth", os.path.join(dataset, "truth.csv"), "--dataset",
                           dataset]))


def main():
    binary, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    dataset = os.path.join(work, "market")
    run([binary, "generate", dataset, "--sellers", str(SELLERS), "--seed", str(SEED)])

    out = os.path.join(work, "engine")
    run([binary, "run", dataset, "--out", out, "--job", JOB])
    engine = evaluate(binary, out, dataset)

    base = os.path.join(work, "baseline")
    run([sys.executable, BASELINE, dataset, base, "--seed", "1"])
    baseline = evaluate(binary, base, dataset)

    worse, better, missing = [], [], []
    for m in METRICS:
        e, b = engine[m], baseline[m]
        if e is None or b is None:
            missing.append(m)
        elif e < b:
            worse.append("%s: engine %.4f < baseline %.4f" % (m, e, b))
        elif e > b:
            better.append(m)
    failures = []
    if missing:
        failures.append("no value for " + ", ".join(missing))
    if worse:
        failures.append("the engine is worse on " + "; ".join(worse))
    if len(better) < STRICTLY_BETTER_AT_LEAST:
        failures.append("the engine is strictly better on %d metrics (%s), at least %d wanted" %
                        (len(better), ", ".join(better) or "none", STRICTLY_BETTER_AT_LEAST))
    if failures:
        print("%d sellers, seed %d" % (SELLERS, SEED))
        print("\n".join(failures))
        print("engine:", json.dumps(engine, indent=2))
        print("baseline:", json.dumps(baseline, indent=2))
        return 1
    print("engine better on %s; no metric worse" % ", ".join(better))
    return 0


if __name__ == "__main__":
    sys.exit(main())
