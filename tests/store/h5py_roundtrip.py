#!/usr/bin/python3
"""store: graph.h5 read back with h5py, checked against an independent
aggregation of the CSV tables written in Python.

usage: h5py_roundtrip.py SOURCETRACE_BINARY SCRATCH_DIR

Generates a small market, ingests it with the real binary, then reads
graph.h5 with h5py (as a user's notebook would) and recomputes every layer
from the CSVs: each undirected edge's weight and event count, each directed
flow, the evidence rows, the entity keys and kinds. And the checksums
(docs/integrity.md): every dataset declares HDF5's Fletcher-32 filter,
string attributes are fixed-length (in the checksummed object header), and
a byte flipped in a chunk makes h5py raise rather than read other values.
"""
import collections
import csv
import json
import os
import subprocess
import sys

import h5py
import numpy as np

KINDS = ["seller", "warehouse", "account", "brand", "vertex"]
SIGNALS = ["takedown", "test_buy_counterfeit", "test_buy_genuine", "complaint", "enforcement_confirmed"]


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def check_checksums(f, graph, scratch):
    """Every dataset checksummed; a flipped byte of a chunk is an error."""
    datasets = []
    f.visititems(lambda name, obj: datasets.append(name) if isinstance(obj, h5py.Dataset) else None)
    for name in datasets:
        d = f[name]
        if d.shape[0] > 0 and not (d.fletcher32 and d.shuffle and d.compression == "gzip"):
            fail(name + ": not shuffle + deflate + Fletcher-32")
    with open(graph, "rb") as fh:
        data = bytearray(fh.read())
    target = f["layers/seller/targets"]
    offset = target.id.get_offset() if target.chunks is None else None
    if offset is None:
        info = target.id.get_chunk_info(0)
        offset, size = info.byte_offset, info.size
    else:
        size = target.id.get_storage_size()
    data[offset + size // 2] ^= 0xFF
    damaged = os.path.join(scratch, "damaged.h5")
    with open(damaged, "wb") as fh:
        fh.write(data)
    try:
        with h5py.File(damaged, "r") as g:
            g["layers/seller/targets"][:]
    except OSError:
        return
    fail("a flipped byte in a chunk of layers/seller/targets was read without an error")


def main():
    binary, scratch = sys.argv[1], sys.argv[2]
    os.makedirs(scratch, exist_ok=True)
    data, graph = os.path.join(scratch, "market"), os.path.join(scratch, "graph.h5")
    subprocess.run([binary, "generate", data, "--sellers", "1500", "--seed", "11"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([binary, "ingest", data, "--out", graph], check=True, stdout=subprocess.DEVNULL)

    f = h5py.File(graph, "r")
    # String attributes are fixed-length UTF-8: h5py gives them as bytes.
    if f.attrs["format"] != b"sourcetrace.graph" or f.attrs["version"] != 2:
        fail("format attributes")
    if f.attrs["format"].decode() != "sourcetrace.graph" or len(f.attrs["input_digest"].decode()) != 32:
        fail("string attributes")
    check_checksums(f, graph, scratch)
    kinds = f["entities/kind"][:]
    offsets = f["entities/key_offsets"][:]
    blob = f["entities/key_bytes"][:].tobytes()
    keys = [(KINDS[kinds[i]], blob[offsets[i]:offsets[i + 1]].decode()) for i in range(len(kinds))]
    vertex = {k: i for i, k in enumerate(keys)}
    if len(vertex) != len(keys):
        fail("duplicate entity keys")

    def rows(table):
        with open(os.path.join(data, table + ".csv"), newline="") as fh:
            return list(csv.DictReader(fh))

    # Independent aggregation: undirected (weight, events) and directed flows.
    undirected = {name: collections.defaultdict(lambda: [0.0, 0]) for name in
                  ("seller", "warehouse", "payment", "shipment")}
    directed = {name: collections.defaultdict(lambda: [0.0, 0]) for name in ("payment", "shipment")}

    def add(layer, a, b, w, flow=False):
        u, v = vertex[a], vertex[b]
        e = undirected[layer][(min(u, v), max(u, v))]
        e[0] += w
        e[1] += 1
        if flow:
            d = directed[layer][(u, v)]
            d[0] += w
            d[1] += 1

    for r in rows("seller_links"):
        add("seller", ("seller", r["seller_a"]), ("seller", r["seller_b"]), 1.0)
    for r in rows("stock"):
        add("warehouse", ("seller", r["seller"]), ("warehouse", r["warehouse"]), float(r["units"]))
    for r in rows("payments"):
        add("payment", (r["payer_kind"], r["payer"]), (r["payee_kind"], r["payee"]), float(r["amount"]), True)
    for r in rows("shipments"):
        add("shipment", (r["origin_kind"], r["origin"]), (r["destination_kind"], r["destination"]),
            float(r["units"]), True)

    def check_csr(prefix, expected, symmetric):
        off = f[prefix + "offsets"][:]
        tgt = f[prefix + "targets"][:]
        wts = f[prefix + "weights"][:]
        evs = f[prefix + "events"][:]
        if len(off) != len(keys) + 1 or off[-1] != len(tgt):
            fail(prefix + " offsets")
        seen = {}
        for u in range(len(keys)):
            row = tgt[off[u]:off[u + 1]]
            if np.any(np.diff(row.astype(np.int64)) <= 0):
                fail(prefix + " row %d not strictly sorted" % u)
            for k in range(off[u], off[u + 1]):
                key = (min(u, tgt[k]), max(u, tgt[k])) if symmetric else (u, tgt[k])
                seen.setdefault(key, []).append((float(wts[k]), int(evs[k])))
        if set(seen) != set(expected):
            fail(prefix + " edge set differs: %d vs %d" % (len(seen), len(expected)))
        for key, stored in seen.items():
            w, n = expected[key]
            if len(stored) != (2 if symmetric else 1):
                fail(prefix + " edge %s stored %d times" % (key, len(stored)))
            for sw, sn in stored:
                if sn != n or abs(sw - w) > 1e-4 * max(1.0, w):
                    fail(prefix + " edge %s: stored (%g, %d), expected (%g, %d)" % (key, sw, sn, w, n))

    for layer in undirected:
        check_csr("layers/%s/" % layer, undirected[layer], True)
    for layer in directed:
        check_csr("layers/%s/flow_" % layer, directed[layer], False)

    evidence = rows("evidence")
    ent = f["evidence/entity"][:]
    sig = f["evidence/signal"][:]
    if len(ent) != len(evidence):
        fail("evidence row count")
    for i, r in enumerate(evidence):
        if keys[ent[i]] != (r["kind"], r["id"]) or SIGNALS[sig[i]] != r["signal"]:
            fail("evidence row %d" % i)

    info = json.loads(subprocess.run([binary, "info", graph, "--json"], check=True,
                                     capture_output=True, text=True).stdout)
    if info["entities"]["total"] != len(keys):
        fail("info entity count")
    for layer in info["layers"]:
        if layer["edges"] != len(undirected[layer["name"]]):
            fail("info edge count of " + layer["name"])
    print("h5py read %d entities, %d edges in 4 layers, %d evidence rows: all match the CSVs" %
          (len(keys), sum(len(v) for v in undirected.values()), len(evidence)))


if __name__ == "__main__":
    main()
