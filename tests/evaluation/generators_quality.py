#!/usr/bin/python3
"""The default job finds the rings of markets from both generators: one
market of the blind generator (bench/blind_market, written without reading
the engine or its generator) and two draws of the market family
(`sourcetrace generate --vary`), 20,000 sellers each.

usage: generators_quality.py SOURCETRACE_BINARY WORK_DIR

For each market, `sourcetrace run` with jobs/default.toml and `sourcetrace
eval --explain --json`; asserts members precision, members recall and rings
found >= 0.85, fresh ring entities caught >= 0.75 and fresh controls caught
<= 0.10. The seeds are fixed, so this guards against regressions; the
distribution over many seeds (median and worst decile) is bench/quality.py's
to measure, and docs/quality.md reports it. On failure the case's metrics
and ring fates are printed.
"""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
JOB = os.path.join(ROOT, "jobs/default.toml")
BLIND = os.path.join(ROOT, "bench/blind_market/generate.py")
SELLERS = 20000
CASES = (("blind", 15), ("family", 4), ("family", 6))
AT_LEAST = {"members_precision": 0.85, "members_recall": 0.85, "rings_found": 0.85, "fresh_caught": 0.75}
AT_MOST = {"fresh_controls_caught": 0.10}


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print("FAILED (exit %d): %s\n%s%s" % (p.returncode, " ".join(cmd), p.stdout[-3000:], p.stderr[-3000:]))
        sys.exit(1)
    return p.stdout


def main():
    binary, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    failures = []
    for generator, seed in CASES:
        dataset = os.path.join(work, "%s-%d" % (generator, seed))
        if generator == "blind":
            run(["/usr/bin/python3", BLIND, dataset, "--sellers", str(SELLERS), "--seed", str(seed)])
        else:
            run([binary, "generate", dataset, "--sellers", str(SELLERS), "--seed", str(seed), "--vary"])
        out = dataset + "-run"
        run([binary, "run", dataset, "--out", out, "--job", JOB])
        e = json.loads(run([binary, "eval", out, "--truth", os.path.join(dataset, "truth.csv"), "--dataset", dataset,
                            "--explain", "--json"]))
        bad = [k for k, bound in AT_LEAST.items() if e[k] is None or e[k] < bound]
        bad += [k for k, bound in AT_MOST.items() if e[k] is None or e[k] > bound]
        summary = {k: e[k] for k in list(AT_LEAST) + list(AT_MOST)}
        print("%s seed %d: %s; fates %s" % (generator, seed, json.dumps(summary), json.dumps(e["explain"]["fates"])))
        if bad:
            failures.append("%s seed %d: %s" % (generator, seed, ", ".join(bad)))
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    print("ok: %d markets from two generators" % len(CASES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
