#!/usr/bin/python3
"""Distributed detection benchmark (not a test): one rank with 2 threads
against 2 ranks with 1 thread each, on the same machine, in the same run.

usage: bench/dist.py [--binary build/release/sourcetrace] [--work /tmp/sourcetrace-bench-dist]
                     [--market-sellers 1000000] [--repeats 1] [--skip-market] [--skip-lfr]

Graphs: the bundled LFR graph (datasets/lfr-n100k-mu0.40) and a generated
market (`sourcetrace generate --sellers N --seed 1`, cached under --work).
Per graph, `sourcetrace detect` runs as
  one:        1 process, --threads 2, default gather size (the ordinary
              single-node path: Leiden);
  one_rounds: 1 process, --threads 2, --gather-below set low (LFR 1000,
              market 50000): the first levels move in rounds on one node;
  ranks:      mpirun -np 2, --threads 1, default gather size (a graph this
              small is gathered at once: the single-node code on rank 0);
  forced:     mpirun -np 2, --threads 1, the low --gather-below: the first
              levels really run distributed;
  forced_4:   the same on 4 ranks (oversubscribed on a 2-core machine:
              there for the partition, not the time).
Each rank runs under /usr/bin/time (peak RSS per rank). Reported per
configuration: wall seconds of the whole command (MPI start-up included),
the detect's own seconds (from its summary line, start-up excluded),
modularity, levels run distributed, rounds, MB sent by all ranks and per
round, peak RSS per rank, whether the partition equals one_rounds' and
its NMI to one's; per graph the time ratios (goal <= 1.5: forced over
one_rounds, the same computation; forced over one, against Leiden) and the
modularity differences.

Prints one JSON document; progress on stderr.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

import igraph

from dist_quality import membership
from quality import ROOT, log

SUMMARY = re.compile(r"modularity ([0-9.]+)")
SECONDS = re.compile(r" in ([0-9.]+) s")
DIST = re.compile(r"\((\d+) distributed levels, (\d+) rounds, ([0-9.]+) MB exchanged")


def run(cmd, env=None):
    start = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit("failed (exit %d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr[-3000:]))
    return wall, p.stdout, p.stderr


def detect(binary, graph, out, ranks, threads, gather_below=None):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMP_NUM_THREADS=str(threads))
    rss = [out + ".rss.%d" % r for r in range(ranks)]
    args = ["detect", graph, "--out", out, "--threads", str(threads)]
    if gather_below is not None:
        args += ["--gather-below", str(gather_below)]
    if ranks == 1:
        cmd = ["/usr/bin/time", "-f", "%M", "-o", rss[0], binary] + args
    else:
        # Each rank writes its own peak RSS (OMPI_COMM_WORLD_RANK names the file).
        shell = '/usr/bin/time -f %%M -o "%s.rss.$OMPI_COMM_WORLD_RANK" %s %s' % (
            out, binary, " ".join('"%s"' % a for a in args))
        cmd = ["mpirun", "--oversubscribe", "--bind-to", "none", "-np", str(ranks), "-x", "OMP_NUM_THREADS",
               "/bin/sh", "-c", shell]
    wall, stdout, _ = run(cmd, env)
    line = [l for l in stdout.splitlines() if l.startswith("detect:")][-1]
    q = float(SUMMARY.search(line).group(1))
    m = DIST.search(line)
    levels, rounds, mb = (int(m.group(1)), int(m.group(2)), float(m.group(3))) if m else (0, 0, 0.0)
    peaks = []
    for path in rss:
        with open(path) as f:
            peaks.append(round(int(f.read().split()[-1]) / 1024.0, 1))
    return {"ranks": ranks, "threads": threads, "gather_below": gather_below, "wall_s": round(wall, 3),
            "detect_s": float(SECONDS.search(line).group(1)),
            "modularity": q, "distributed_levels": levels, "rounds": rounds, "mb_sent": mb,
            "mb_per_round": round(mb / rounds, 3) if rounds else 0.0, "peak_rss_mb_per_rank": peaks}


def case(binary, name, graph, work, forced_gather, repeats):
    result = {"graph": name}
    configs = (("one", 1, 2, None), ("one_rounds", 1, 2, forced_gather), ("ranks", 2, 1, None),
               ("forced", 2, 1, forced_gather), ("forced_4", 4, 1, forced_gather))
    parts = {}
    for label, ranks, threads, gather in configs:
        best = None
        out = os.path.join(work, "%s-%s.h5" % (name, label))
        for _ in range(repeats if label != "forced_4" else 1):
            log("%s: %s (%d ranks x %d threads)" % (name, label, ranks, threads))
            r = detect(binary, graph, out, ranks, threads, gather)
            if best is None or r["wall_s"] < best["wall_s"]:
                best = r
        parts[label] = membership(out)[0]
        result[label] = best
    for label, _, _, _, in configs:
        result[label]["same_partition_as_one_rounds"] = parts[label] == parts["one_rounds"]
        result[label]["nmi_to_one"] = round(igraph.compare_communities(parts[label], parts["one"], method="nmi"), 4)
    for label, base in (("ranks", "one"), ("forced", "one_rounds"), ("forced", "one"), ("one_rounds", "one")):
        key = "%s_over_%s" % (label, base)
        result["time_ratio_" + key] = round(result[label]["wall_s"] / result[base]["wall_s"], 3)
        # Without MPI start-up (mpirun launching the ranks): the detect's own time.
        result["detect_ratio_" + key] = round(result[label]["detect_s"] / result[base]["detect_s"], 3)
        result["modularity_diff_" + key] = round(result[label]["modularity"] - result[base]["modularity"], 5)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, "build/release/sourcetrace"))
    ap.add_argument("--work", default="/tmp/sourcetrace-bench-dist")
    ap.add_argument("--market-sellers", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--skip-market", action="store_true")
    ap.add_argument("--skip-lfr", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    cases = []
    if not a.skip_lfr:
        lfr = os.path.join(a.work, "lfr.h5")
        if not os.path.exists(lfr):
            run([a.binary, "ingest", "--edge-list", os.path.join(ROOT, "datasets/lfr-n100k-mu0.40/edges.txt.gz"),
                 "--out", lfr])
        cases.append(case(a.binary, "lfr-n100k-mu0.40", lfr, a.work, 1000, a.repeats))
    if not a.skip_market:
        data = os.path.join(a.work, "market-%d" % a.market_sellers)
        graph = data + ".h5"
        if not os.path.exists(graph):
            log("generating and ingesting a %d-seller market" % a.market_sellers)
            run([a.binary, "generate", data, "--sellers", str(a.market_sellers), "--seed", "1"])
            run([a.binary, "ingest", data, "--out", graph])
        cases.append(case(a.binary, "market-%d" % a.market_sellers, graph, a.work, 50000, a.repeats))
    print(json.dumps({"benchmark": "distributed detection, 1 rank x 2 threads vs 2 ranks x 1 thread",
                      "cores": os.cpu_count(), "cases": cases}, indent=2))


if __name__ == "__main__":
    main()
