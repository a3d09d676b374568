#!/usr/bin/python3
"""Ring Jaccard of a partition against a generated market's truth.

usage: ring_jaccard.py TRUTH.csv[.gz] PARTITION.tsv

For each planted ring: the best Jaccard overlap between its entities and one
community of the partition; prints JSON with the mean, the share of rings
with overlap >= 0.5, and the size of the communities that hold ring members.
"""
import collections
import csv
import gzip
import json
import sys


def open_text(path):
    return gzip.open(path, "rt", newline="") if path.endswith(".gz") else open(path, newline="")


def main():
    truth_path, partition_path = sys.argv[1], sys.argv[2]
    rings = collections.defaultdict(set)
    with open_text(truth_path) as f:
        for row in csv.DictReader(f):
            if row["ring"]:
                rings[row["ring"]].add(row["kind"] + ":" + row["id"])
    community_of = {}
    members = collections.defaultdict(set)
    with open(partition_path) as f:
        for line in f:
            key, c = line.rstrip("\n").split("\t")
            community_of[key] = c
            members[c].add(key)
    scores = []
    for ring, ents in rings.items():
        best = 0.0
        for c in {community_of[e] for e in ents if e in community_of}:
            inter = len(ents & members[c])
            best = max(best, inter / len(ents | members[c]))
        scores.append(best)
    print(json.dumps({
        "rings": len(rings),
        "mean_ring_jaccard": round(sum(scores) / len(scores), 4) if scores else None,
        "rings_found_0.5": round(sum(s >= 0.5 for s in scores) / len(scores), 4) if scores else None,
        "communities": len(members),
    }))


if __name__ == "__main__":
    main()
