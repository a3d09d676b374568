#!/usr/bin/python3
"""The obvious baseline (not a test): plain Leiden on the combined graph,
networks ranked by their evidence count, targets by degree.

usage: bench/baseline.py DATASET OUTDIR [--seed 1] [--iterations 10] [--max-targets 16]

DATASET is a dataset folder in the table contract (docs/tables.md; NAME.csv
or NAME.csv.gz per table). The four layers (seller_links, stock, payments,
shipments) become one undirected graph whose edge weight is the number of
events between the pair, summed over the layers: no layer weights, no hub
damping. python-igraph's Leiden (objective "modularity", seeded through
Python's `random`, which is igraph's RNG) splits it into communities.

A community's evidence is the number of its members' positive evidence rows
(every signal but test_buy_genuine). OUTDIR gets, in the contract's columns:

- networks.csv: the communities with at least one positive evidence row,
  by evidence count (ties: fewer members first); risk = evidence / the
  largest evidence count;
- members.csv: their members (role_hint "unknown": the baseline has none);
- targets.csv: members of the listed networks ranked globally by
  risk x (degree / the network's total degree), at most --max-targets per
  network (the engine's default is 16); impact = the cumulative share of the
  network's degree taken so far; reason "degree N". Degree is the number of
  distinct neighbours in the combined graph.

So that `sourcetrace eval OUTDIR --truth TRUTH --dataset DATASET` scores the
baseline exactly like the engine. Prints one JSON line with counts and times.
"""
import argparse
import collections
import csv
import gzip
import json
import os
import random
import sys
import time

import igraph
import numpy as np

KINDS = ("seller", "warehouse", "account", "brand")
POSITIVE = {"takedown", "test_buy_counterfeit", "complaint", "enforcement_confirmed"}

# table -> list of (kind column or fixed kind, id column) pairs: the two ends of an event.
LAYERS = {
    "seller_links": (("=seller", "seller_a"), ("=seller", "seller_b")),
    "stock": (("=seller", "seller"), ("=warehouse", "warehouse")),
    "payments": (("payer_kind", "payer"), ("payee_kind", "payee")),
    "shipments": (("origin_kind", "origin"), ("destination_kind", "destination")),
}


def table_path(dataset, name, required):
    plain, packed = os.path.join(dataset, name + ".csv"), os.path.join(dataset, name + ".csv.gz")
    if os.path.exists(plain) and os.path.exists(packed):
        sys.exit("%s: both %s.csv and %s.csv.gz" % (dataset, name, name))
    if os.path.exists(plain):
        return plain
    if os.path.exists(packed):
        return packed
    if required:
        sys.exit("%s: no such file" % plain)
    return None


def rows(path, columns):
    """Yields the listed columns of every record (header names, any order)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        try:
            at = [header.index(c) for c in columns]
        except ValueError as e:
            sys.exit("%s: %s" % (path, e))
        for record in reader:
            if record:
                yield [record[i] for i in at]


class Entities:
    """kind:id <-> vertex number."""

    def __init__(self):
        self.index = {}
        self.kind = []
        self.id = []

    def get(self, kind, ident):
        key = (kind, ident)
        v = self.index.get(key)
        if v is None:
            v = self.index[key] = len(self.kind)
            self.kind.append(kind)
            self.id.append(ident)
        return v


def build_graph(dataset, entities):
    """Simple undirected graph, weight = events per pair over all four layers."""
    keys = []
    for table, ends in LAYERS.items():
        path = table_path(dataset, table, required=True)
        columns, fixed = [], []
        for kind_col, id_col in ends:
            if kind_col.startswith("="):
                fixed.append(kind_col[1:])
            else:
                fixed.append(None)
                columns.append(kind_col)
            columns.append(id_col)
        u_list, v_list = [], []
        get = entities.get
        for r in rows(path, columns):
            it = iter(r)
            ends_v = []
            for k in fixed:
                kind = k if k is not None else next(it)
                ends_v.append(get(kind, next(it)))
            u_list.append(ends_v[0])
            v_list.append(ends_v[1])
        u = np.asarray(u_list, dtype=np.int64)
        v = np.asarray(v_list, dtype=np.int64)
        del u_list, v_list
        keep = u != v
        keys.append((u[keep], v[keep]))
    n = len(entities.kind)
    u = np.concatenate([k[0] for k in keys])
    v = np.concatenate([k[1] for k in keys])
    del keys
    pair = np.minimum(u, v) * n + np.maximum(u, v)
    del u, v
    pair, count = np.unique(pair, return_counts=True)
    edges = np.stack([pair // n, pair % n], axis=1)
    del pair
    g = igraph.Graph(n=n, edges=edges.tolist(), directed=False)
    g.es["weight"] = count.astype(float).tolist()
    return g


def read_evidence(dataset, entities):
    """vertex -> [positive rows, brands named by them]; entities not in the graph are skipped."""
    path = table_path(dataset, "evidence", required=False)
    found = collections.defaultdict(lambda: [0, set()])
    if path is None:
        return found
    for kind, ident, signal, brand in rows(path, ["kind", "id", "signal", "brand"]):
        if signal not in POSITIVE:
            continue
        v = entities.index.get((kind, ident))
        if v is None:
            continue
        found[v][0] += 1
        if brand:
            found[v][1].add(brand)
    return found


def write_csv(path, header, records):
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(records)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dataset")
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--iterations", type=int, default=10, help="Leiden iterations (-1: until stable)")
    ap.add_argument("--max-targets", type=int, default=16, help="targets per network at most (0: no limit)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    entities = Entities()
    g = build_graph(args.dataset, entities)
    evidence = read_evidence(args.dataset, entities)
    t_read = time.perf_counter()

    random.seed(args.seed)  # python-igraph draws from Python's `random`
    part = g.community_leiden(objective_function="modularity", weights="weight", n_iterations=args.iterations)
    t_leiden = time.perf_counter()
    membership = part.membership
    degree = g.degree()

    communities = collections.defaultdict(list)
    for v, c in enumerate(membership):
        communities[c].append(v)
    listed = []
    for c, members in communities.items():
        count = sum(evidence[v][0] for v in members if v in evidence)
        if count > 0:
            listed.append((count, members))
    listed.sort(key=lambda x: (-x[0], len(x[1]), min(entities.id[v] for v in x[1])))
    top = listed[0][0] if listed else 1

    os.makedirs(args.outdir, exist_ok=True)
    networks, member_rows, candidates = [], [], []
    for rank, (count, members) in enumerate(listed, 1):
        name = "B%05d" % rank
        risk = count / top
        kinds = collections.Counter(entities.kind[v] for v in members)
        brands = sorted(set().union(*(evidence[v][1] for v in members if v in evidence)))
        networks.append([name, "%.4f" % risk, len(members), kinds["seller"], kinds["warehouse"], kinds["account"],
                         count, ";".join(brands), "%d reports on %d members (plain Leiden, no damping)" %
                         (count, len(members))])
        members.sort(key=lambda v: (entities.kind[v], entities.id[v]))
        for v in members:
            member_rows.append([name, entities.kind[v], entities.id[v], "unknown", "%.4f" % risk])
        total = sum(degree[v] for v in members) or 1
        by_degree = sorted(members, key=lambda v: (-degree[v], entities.kind[v], entities.id[v]))
        if args.max_targets > 0:
            by_degree = by_degree[:args.max_targets]
        cumulative = 0
        for v in by_degree:
            cumulative += degree[v]
            candidates.append((-risk * degree[v] / total, rank, entities.kind[v], entities.id[v], name,
                               cumulative / total, degree[v]))
    candidates.sort()
    target_rows = [[i, c[4], c[2], c[3], "%.4f" % c[5], "degree %d" % c[6]] for i, c in enumerate(candidates, 1)]
    # Within a network the picks go by falling degree, so the cumulative
    # impact grows down the list as the contract asks.

    write_csv(os.path.join(args.outdir, "networks.csv"),
              ["network", "risk", "members", "sellers", "warehouses", "accounts", "evidence", "brands", "reason"],
              networks)
    write_csv(os.path.join(args.outdir, "members.csv"), ["network", "kind", "id", "role_hint", "risk"], member_rows)
    write_csv(os.path.join(args.outdir, "targets.csv"), ["rank", "network", "kind", "id", "impact", "reason"],
              target_rows)
    t_end = time.perf_counter()
    print(json.dumps({
        "vertices": g.vcount(), "edges": g.ecount(), "communities": len(communities),
        "modularity": round(g.modularity(membership, weights="weight"), 4),
        "networks": len(networks), "members": len(member_rows), "targets": len(target_rows),
        "seconds": {"read": round(t_read - t0, 3), "leiden": round(t_leiden - t_read, 3),
                    "write": round(t_end - t_leiden, 3), "total": round(t_end - t0, 3)},
    }), flush=True)


if __name__ == "__main__":
    sys.exit(main())
