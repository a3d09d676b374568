#!/usr/bin/python3
"""The engine on a real fraud graph (not a test): the Amazon reviewer graph
with real fraud labels, converted into a marketplace, a seeded third of the
fraudsters reported, the rest held out.

usage: bench/amazon.py [--binary build/release/sourcetrace] [--work /tmp/sourcetrace-amazon]
                       [--data datasets/amazon-fraud-upu] [--seed 1] [--reported 0.3333]
                       [--link image] [--job jobs/default.toml] [--threads 2]

The graph (datasets/amazon-fraud-upu: 10,224 users, 175,608 U-P-U edges —
two users reviewed a same product —, 693 users labelled fraudulent) becomes
a dataset in the table contract: every user a seller `U<n>`, every edge one
`seller_links` row of one fixed link type (--link, default `image`: a shared
product is what a shared listing image is on a marketplace), the tables of
goods and money empty (the data has none), and a `takedown` for brand B001
on a seeded share (--reported) of the fraudsters. Nothing else is known.

Then `sourcetrace run` with the job, and the ranking of every user NOT
reported by member risk, scored by ROC AUC against the fraud labels:
- engine: the risk in members.csv (a user in no exported network: 0), as an
  investigator sees it;
- engine_all_members: risk.h5's member risk for every user (the score
  stage's own ranking, exported or not);
- ceiling: label spreading (Zhou et al. 2003, and its row-normalised
  form, each user the mean of its neighbours) from the reported users
  straight on the graph, for several alphas, the best of them taken (an
  optimistic choice, made on the held-out labels): what the structure
  carries;
- baseline: python-igraph Leiden (modularity), users ranked by the share
  of their community that is reported.
Prints one JSON document. The conversion is cached under --work.
"""
import argparse
import csv
import gzip
import json
import os
import random
import shutil
import subprocess
import sys

import h5py
import igraph
import numpy as np

from baseline import write_csv

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def read_graph(data):
    edges = []
    with gzip.open(os.path.join(data, "edges.txt.gz"), "rt") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            u, v = line.split()[:2]
            edges.append((int(u), int(v)))
    labels = {}
    with open(os.path.join(data, "labels.txt")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            node, label = line.split()[:2]
            labels[int(node)] = int(label)
    n = max(max(max(e) for e in edges) + 1, max(labels) + 1)
    return n, edges, labels


def convert(data, out, seed, reported_share, link):
    """Writes the marketplace; returns (n, edges, labels, reported set)."""
    n, edges, labels = read_graph(data)
    fraud = sorted(u for u, l in labels.items() if l == 1)
    rng = random.Random(seed)
    reported = set(rng.sample(fraud, round(len(fraud) * reported_share)))
    done = os.path.join(out, ".converted")
    if not os.path.exists(done):
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        write_csv(os.path.join(out, "seller_links.csv"), ["seller_a", "seller_b", "link", "observed_on"],
                    [["U%d" % u, "U%d" % v, link, "2026-01-15"] for u, v in edges])
        write_csv(os.path.join(out, "stock.csv"), ["seller", "warehouse", "units", "observed_on"], [])
        write_csv(os.path.join(out, "payments.csv"),
                    ["payer_kind", "payer", "payee_kind", "payee", "amount", "paid_on"], [])
        write_csv(os.path.join(out, "shipments.csv"),
                    ["shipment", "origin_kind", "origin", "destination_kind", "destination", "units", "shipped_on"],
                    [])
        write_csv(os.path.join(out, "evidence.csv"), ["kind", "id", "signal", "brand", "reported_on", "reporter"],
                    [["seller", "U%d" % u, "takedown", "B001", "2026-06-01", "platform"] for u in sorted(reported)])
        open(done, "w").close()
    return n, edges, labels, reported


def auc(scores, positives):
    """ROC AUC of `scores` (list) for the 0/1 list `positives`, ties counted half (Mann-Whitney)."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2.0 + 1.0
        i = j + 1
    pos = sum(positives)
    neg = len(positives) - pos
    if pos == 0 or neg == 0:
        return None
    rank_sum = sum(r for r, p in zip(ranks, positives) if p)
    return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg)


def label_spreading(n, edges, seeds, alpha, normalised="symmetric", rounds=50):
    """f = y + alpha S f from f = y (y: 1 on the seeds), S = D^-1/2 W D^-1/2
    (symmetric, Zhou et al.) or D^-1 W (mean of the neighbours)."""
    u = np.array([e[0] for e in edges] + [e[1] for e in edges], dtype=np.int64)
    v = np.array([e[1] for e in edges] + [e[0] for e in edges], dtype=np.int64)
    degree = np.maximum(np.bincount(u, minlength=n).astype(float), 1.0)
    y = np.zeros(n)
    y[list(seeds)] = 1.0
    f = y.copy()
    for _ in range(rounds):
        if normalised == "symmetric":
            scale = 1.0 / np.sqrt(degree)
            f = y + alpha * scale * np.bincount(u, weights=scale[v] * f[v], minlength=n)
        else:
            f = y + alpha * np.bincount(u, weights=f[v], minlength=n) / degree
    return f


def leiden_share(n, edges, reported, seed=1):
    g = igraph.Graph(n=n, edges=edges, directed=False)
    random.seed(seed)
    membership = g.community_leiden(objective_function="modularity", n_iterations=10).membership
    size, hits = {}, {}
    for v, c in enumerate(membership):
        size[c] = size.get(c, 0) + 1
        hits[c] = hits.get(c, 0) + (v in reported)
    return [hits[membership[v]] / size[membership[v]] for v in range(n)]


def engine_scores(out, n):
    """(members.csv risk or 0, risk.h5 member risk) per user number."""
    exported = [0.0] * n
    with open(os.path.join(out, "members.csv"), newline="") as f:
        for row in csv.DictReader(f):
            if row["kind"] == "seller" and row["id"].startswith("U"):
                exported[int(row["id"][1:])] = float(row["risk"])
    every = [0.0] * n
    with h5py.File(os.path.join(out, "graph.h5"), "r") as g, h5py.File(os.path.join(out, "risk.h5"), "r") as r:
        key_bytes = g["/entities/key_bytes"][()].tobytes()
        offsets = g["/entities/key_offsets"][()]
        keys = [key_bytes[offsets[i]:offsets[i + 1]].decode() for i in range(len(offsets) - 1)]
        member_risk = r["/risk/entity_risk"][()]
        for key, risk in zip(keys, member_risk):
            if key.startswith("U"):
                every[int(key[1:])] = float(risk)
    networks = 0
    with open(os.path.join(out, "networks.csv"), newline="") as f:
        networks = sum(1 for _ in csv.DictReader(f))
    return exported, every, networks


def measure(binary, work, data, seed, reported_share, link, job, threads):
    dataset = os.path.join(work, "amazon-s%d" % seed)
    n, edges, labels, reported = convert(data, dataset, seed, reported_share, link)
    out = os.path.join(work, "run-s%d" % seed)
    shutil.rmtree(out, ignore_errors=True)
    log("engine run on the Amazon marketplace (seed %d)" % seed)
    p = subprocess.run([binary, "run", dataset, "--out", out, "--job", job, "--threads", str(threads)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("run failed (exit %d):\n%s" % (p.returncode, p.stderr[-3000:]))
    held = [u for u in range(n) if u not in reported]
    truth = [labels.get(u, 0) for u in held]
    exported, every, networks = engine_scores(out, n)
    result = {
        "users": n, "edges": len(edges), "fraudsters": sum(labels.values()), "reported": len(reported),
        "held_out": len(held), "held_out_fraudsters": sum(truth), "link": link, "seed": seed,
        "networks_exported": networks,
        "engine_auc": auc([exported[u] for u in held], truth),
        "engine_all_members_auc": auc([every[u] for u in held], truth),
    }
    ceiling = {}
    for normalised in ("symmetric", "mean"):
        for alpha in (0.5, 0.8, 0.9, 0.99):
            f = label_spreading(n, edges, reported, alpha, normalised)
            ceiling["%s_alpha_%g" % (normalised, alpha)] = auc([f[u] for u in held], truth)
    result["ceiling_label_spreading_auc"] = ceiling
    result["ceiling_best_auc"] = max(v for v in ceiling.values() if v is not None)
    share = leiden_share(n, edges, reported)
    result["baseline_igraph_leiden_auc"] = auc([share[u] for u in held], truth)
    result["engine_share_of_ceiling"] = (
        (result["engine_auc"] - 0.5) / (result["ceiling_best_auc"] - 0.5)
        if result["engine_auc"] is not None and result["ceiling_best_auc"] > 0.5 else None)
    for k, v in list(result.items()):
        if isinstance(v, float):
            result[k] = round(v, 4)
    result["ceiling_label_spreading_auc"] = {k: round(v, 4) for k, v in ceiling.items()}
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, "build/release/sourcetrace"))
    ap.add_argument("--work", default="/tmp/sourcetrace-amazon")
    ap.add_argument("--data", default=os.path.join(ROOT, "datasets/amazon-fraud-upu"))
    ap.add_argument("--seed", type=int, default=1, help="which fraudsters are reported")
    ap.add_argument("--reported", type=float, default=1.0 / 3.0, help="share of the fraudsters given a takedown")
    ap.add_argument("--link", default="image", help="the seller_links type every U-P-U edge becomes")
    ap.add_argument("--job", default=os.path.join(ROOT, "jobs/default.toml"))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    print(json.dumps(measure(os.path.abspath(args.binary), os.path.abspath(args.work), args.data, args.seed,
                             args.reported, args.link, args.job, args.threads), indent=2))


if __name__ == "__main__":
    sys.exit(main())
