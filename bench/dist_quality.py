#!/usr/bin/python3
"""Distributed detection judged by what the engine is for (not a test): on
a generated market, the run's networks and targets with detect on one node
and with detect forced distributed over MPI ranks, both scored against the
planted truth by `sourcetrace eval`, in the same run.

usage: bench/dist_quality.py [--binary build/release/sourcetrace] [--work /tmp/sourcetrace-dist-quality]
                             [--sellers 200000] [--seed 5] [--ranks 2] [--gather-below 10000]

Steps: `sourcetrace generate --sellers N --seed S --gzip` (cached under
--work); `sourcetrace run` (one node, 2 threads); the same graph.h5 with
detect as `mpirun -np RANKS sourcetrace detect --threads 1 --gather-below
G` (the first levels really distributed), then score, targets and export as
in a run; and, for reference, one node with --seed 2 instead of 1.

Prints one JSON document: per configuration the eval metrics (members
precision and recall, ring Jaccard, rings found, targets precision, supply
cut) and the modularity; and the NMI of each partition to the one-node
seed-1 partition over all entities and over the planted ring entities
alone. The NMI over all entities is low even between two seeds of one node
(many legitimate sellers sit between equally good communities), which is
why the metrics, and the seed-2 reference, are the measure here.
"""
import argparse
import csv
import gzip
import json
import os
import re
import shutil
import subprocess
import sys

import h5py
import igraph

from quality import METRICS, ROOT, evaluate, log, market


def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit("%s failed (exit %d):\n%s" % (" ".join(cmd), p.returncode, p.stderr[-3000:]))
    return p


def stages_after_detect(binary, out, job):
    g, c, r, t = (os.path.join(out, f) for f in ("graph.h5", "communities.h5", "risk.h5", "targets.h5"))
    run([binary, "score", g, c, "--out", r, "--job", job])
    run([binary, "targets", g, c, r, "--out", t, "--job", job])
    run([binary, "export", out, "--out", out, "--job", job])


def scores(e):
    return {k: (round(e[k], 4) if e[k] is not None else None) for k in METRICS}


def membership(path):
    with h5py.File(path, "r") as f:
        group = f["/communities"]
        return [int(x) for x in group["membership"][:]], round(float(group.attrs["modularity"]), 4)


def ring_vertices(graph_path, truth_path):
    with gzip.open(truth_path, "rt") as t:
        ring = {row["id"] for row in csv.DictReader(t) if row["ring"]}
    with h5py.File(graph_path, "r") as g:
        offsets = g["/entities/key_offsets"][:]
        keys = g["/entities/key_bytes"][:].tobytes()
    return [v for v in range(len(offsets) - 1) if keys[offsets[v]:offsets[v + 1]].decode() in ring]


def nmi(a, b, only=None):
    if only is not None:
        a, b = [a[v] for v in only], [b[v] for v in only]
    return round(igraph.compare_communities(a, b, method="nmi"), 4)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, "build/release/sourcetrace"))
    ap.add_argument("--work", default="/tmp/sourcetrace-dist-quality")
    ap.add_argument("--sellers", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--gather-below", type=int, default=10_000)
    ap.add_argument("--job", default=os.path.join(ROOT, "jobs/default.toml"))
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    os.makedirs(args.work, exist_ok=True)

    dataset = market(binary, args.work, args.sellers, args.seed, 2)

    one = os.path.join(args.work, "one")
    log("one node: sourcetrace run")
    run([binary, "run", dataset, "--out", one, "--job", args.job, "--threads", "2"])

    ranks = os.path.join(args.work, "ranks")
    shutil.rmtree(ranks, ignore_errors=True)
    os.makedirs(ranks)
    shutil.copy(os.path.join(one, "graph.h5"), ranks)
    log("%d ranks: detect with --gather-below %d, then score, targets, export" % (args.ranks, args.gather_below))
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    summary = run(["mpirun", "--oversubscribe", "--bind-to", "none", "-np", str(args.ranks), "-x",
                   "OMP_NUM_THREADS=1", binary, "detect", os.path.join(ranks, "graph.h5"), "--out",
                   os.path.join(ranks, "communities.h5"), "--job", args.job, "--threads", "1", "--gather-below",
                   str(args.gather_below)], env=env).stdout.strip().splitlines()[-1]
    levels = re.search(r"\((\d+) distributed levels", summary)
    stages_after_detect(binary, ranks, args.job)

    seed2 = os.path.join(args.work, "seed2")
    shutil.rmtree(seed2, ignore_errors=True)
    os.makedirs(seed2)
    shutil.copy(os.path.join(one, "graph.h5"), seed2)
    log("one node, seed 2")
    run([binary, "detect", os.path.join(seed2, "graph.h5"), "--out", os.path.join(seed2, "communities.h5"),
         "--job", args.job, "--threads", "2", "--seed", "2"])
    stages_after_detect(binary, seed2, args.job)

    reference, _ = membership(os.path.join(one, "communities.h5"))
    rings = ring_vertices(os.path.join(one, "graph.h5"), os.path.join(dataset, "truth.csv.gz"))
    result = {"benchmark": "distributed detection judged by the run's networks and targets",
              "market": {"sellers": args.sellers, "seed": args.seed, "entities": len(reference),
                         "ring_entities": len(rings)},
              "distributed": {"ranks": args.ranks, "threads_per_rank": 1, "gather_below": args.gather_below,
                              "distributed_levels": int(levels.group(1)) if levels else None},
              "configurations": {}}
    for name, folder in (("one_node_seed_1", one), ("ranks_seed_1", ranks), ("one_node_seed_2", seed2)):
        part, q = membership(os.path.join(folder, "communities.h5"))
        result["configurations"][name] = {
            "modularity": q, "eval": scores(evaluate(binary, folder, dataset)),
            "nmi_to_one_node_seed_1": {"all_entities": nmi(reference, part), "ring_entities": nmi(reference, part, rings)}}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
