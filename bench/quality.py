#!/usr/bin/python3
"""Quality benchmark (not a test): the engine end to end against the plain
igraph baseline (bench/baseline.py) on generated markets, both scored by
`sourcetrace eval`, in the same run.

usage: bench/quality.py [--binary build/release/sourcetrace] [--work /tmp/sourcetrace-quality]
                        [--sizes 20000 200000] [--seeds 5 9] [--cases 20000:5,200000:5]
                        [--threads 2] [--job jobs/default.toml] [--stages]

Per size and seed: `sourcetrace generate DIR --sellers N --seed S --gzip`
(cached under --work), the engine end to end, the baseline, `sourcetrace
eval` of both. The engine runs as `sourcetrace run` when the binary has that
subcommand (and --stages is not given), otherwise as the stages chained the
way scripts/run-sample does (ingest, detect, score, targets, export), timed
as their sum. Every process runs under /usr/bin/time -v: wall seconds and
peak RSS (for the stages, the largest of them) for the engine and for the
baseline.

Prints one JSON document: per case the engine's metrics, the baseline's, the
difference engine - baseline per metric (positive: the engine is better;
null where either is null), wall seconds and peak RSS MB of each. Progress
goes to stderr. 1,000,000 sellers: --sizes 20000 200000 1000000 or
--cases 1000000:5.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
METRICS = ("members_precision", "members_recall", "mean_ring_jaccard", "rings_found", "targets_precision",
           "supply_cut")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def timed(cmd, log_path):
    """Runs cmd under /usr/bin/time -v; returns (wall s, peak RSS MB, stdout). Stops on failure."""
    stats = log_path + ".time"
    start = time.perf_counter()
    with open(log_path, "w") as out:
        p = subprocess.run(["/usr/bin/time", "-v", "-o", stats] + cmd, stdout=subprocess.PIPE, stderr=out, text=True)
    wall = time.perf_counter() - start
    with open(log_path, "a") as out:
        out.write(p.stdout)
    if p.returncode != 0:
        with open(log_path) as f:
            tail = f.read()[-3000:]
        sys.exit("failed (exit %d): %s\n%s" % (p.returncode, " ".join(cmd), tail))
    with open(stats) as f:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
    return wall, int(m.group(1)) / 1024.0, p.stdout


def has_run_command(binary):
    """True when `BINARY run --help` is the run subcommand's own help (CLI11
    prints the main help, exit 0, for an unknown word followed by --help)."""
    p = subprocess.run([binary, "run", "--help"], capture_output=True, text=True)
    return p.returncode == 0 and re.search(r"^Usage: \S+ run\b", p.stdout, re.M) is not None


def engine_commands(binary, dataset, out, job, threads, use_run):
    if use_run:
        return [("run", [binary, "run", dataset, "--out", out, "--job", job, "--threads", str(threads)])]
    g, c, r, t = (os.path.join(out, n) for n in ("graph.h5", "communities.h5", "risk.h5", "targets.h5"))
    return [
        ("ingest", [binary, "ingest", dataset, "--out", g, "--threads", str(threads)]),
        ("detect", [binary, "detect", g, "--out", c, "--job", job, "--threads", str(threads)]),
        ("score", [binary, "score", g, c, "--out", r, "--job", job]),
        ("targets", [binary, "targets", g, c, r, "--out", t, "--job", job]),
        ("export", [binary, "export", out, "--out", out, "--job", job]),
    ]


def evaluate(binary, outdir, dataset):
    p = subprocess.run([binary, "eval", outdir, "--truth", os.path.join(dataset, "truth.csv.gz"), "--dataset",
                        dataset], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("eval of %s failed (exit %d): %s" % (outdir, p.returncode, p.stderr))
    return json.loads(p.stdout)


def market(binary, work, sellers, seed, threads):
    path = os.path.join(work, "market-%d-s%d" % (sellers, seed))
    done = os.path.join(path, ".generated")
    if not os.path.exists(done):
        shutil.rmtree(path, ignore_errors=True)
        log("generate %d sellers, seed %d -> %s" % (sellers, seed, path))
        subprocess.run([binary, "generate", path, "--sellers", str(sellers), "--seed", str(seed), "--gzip",
                        "--threads", str(threads)], check=True, stdout=subprocess.DEVNULL)
        open(done, "w").close()
    return path


def one_case(args, use_run, sellers, seed):
    dataset = market(args.binary, args.work, sellers, seed, args.threads)
    # Timings on a busy machine mean little (a parallel stage that spins at
    # its barriers suffers most): the load average goes with them.
    case = {"sellers": sellers, "seed": seed, "loadavg_1min_before": round(os.getloadavg()[0], 2)}

    out = os.path.join(args.work, "engine-%d-s%d" % (sellers, seed))
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    stages = {}
    for name, cmd in engine_commands(args.binary, dataset, out, args.job, args.threads, use_run):
        log("engine %s (%d sellers, seed %d)" % (name, sellers, seed))
        wall, rss, _ = timed(cmd, os.path.join(out, name + ".log"))
        stages[name] = {"wall_s": round(wall, 3), "peak_rss_mb": round(rss, 1)}
    engine = evaluate(args.binary, out, dataset)

    base_out = os.path.join(args.work, "baseline-%d-s%d" % (sellers, seed))
    shutil.rmtree(base_out, ignore_errors=True)
    os.makedirs(base_out)
    log("baseline (%d sellers, seed %d)" % (sellers, seed))
    b_wall, b_rss, b_stdout = timed(["/usr/bin/python3", os.path.join(HERE, "baseline.py"), dataset, base_out,
                                     "--seed", str(args.baseline_seed)], os.path.join(base_out, "baseline.log"))
    baseline = evaluate(args.binary, base_out, dataset)

    def pick(e):
        return {k: (round(e[k], 4) if e[k] is not None else None) for k in METRICS} | {
            "networks_taken": e["networks_taken"], "ring_entities": e["ring_entities"], "rings": e["rings"],
            "k": e["k"], "ks": e["ks"], "notes": e["notes"]}

    case["engine"] = pick(engine)
    case["baseline"] = pick(baseline)
    case["engine_minus_baseline"] = {
        k: (round(engine[k] - baseline[k], 4) if engine[k] is not None and baseline[k] is not None else None)
        for k in METRICS}
    case["engine_wall_s"] = round(sum(s["wall_s"] for s in stages.values()), 3)
    case["engine_peak_rss_mb"] = max(s["peak_rss_mb"] for s in stages.values())
    case["engine_stages"] = stages
    case["loadavg_1min_after"] = round(os.getloadavg()[0], 2)
    case["baseline_wall_s"] = round(b_wall, 3)
    case["baseline_peak_rss_mb"] = round(b_rss, 1)
    try:
        case["baseline_run"] = json.loads(b_stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        pass
    return case


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=None,
                    help="default build/release/sourcetrace, else build/bench/sourcetrace")
    ap.add_argument("--work", default="/tmp/sourcetrace-quality")
    ap.add_argument("--sizes", type=int, nargs="+", default=[20000, 200000])
    ap.add_argument("--seeds", type=int, nargs="+", default=[5, 9])
    ap.add_argument("--cases", default="", help="SELLERS:SEED,... instead of every size with every seed")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--job", default=os.path.join(ROOT, "jobs/default.toml"))
    ap.add_argument("--baseline-seed", type=int, default=1, help="seed of the baseline's Leiden")
    ap.add_argument("--stages", action="store_true", help="chain the stages even if `sourcetrace run` exists")
    args = ap.parse_args()
    if args.binary is None:
        for candidate in ("build/release/sourcetrace", "build/bench/sourcetrace"):
            if os.access(os.path.join(ROOT, candidate), os.X_OK):
                args.binary = os.path.join(ROOT, candidate)
                break
        else:
            sys.exit("no binary: build/release/sourcetrace nor build/bench/sourcetrace (or give --binary)")
    args.binary = os.path.abspath(args.binary)
    args.work = os.path.abspath(args.work)
    os.makedirs(args.work, exist_ok=True)
    if args.cases:
        cases = [tuple(int(x) for x in c.split(":")) for c in args.cases.split(",")]
    else:
        cases = [(n, s) for n in args.sizes for s in args.seeds]

    use_run = not args.stages and has_run_command(args.binary)
    version = subprocess.run([args.binary, "--version"], capture_output=True, text=True).stdout.strip()
    doc = {
        "binary": args.binary, "version": version, "threads": args.threads, "job": args.job,
        "engine_mode": "sourcetrace run" if use_run else "stages: ingest, detect, score, targets, export",
        "baseline": "bench/baseline.py: igraph Leiden (modularity, seed %d), events as weights, no damping"
                    % args.baseline_seed,
        "cpus": os.cpu_count(),
        "cases": [],
    }
    for sellers, seed in cases:
        doc["cases"].append(one_case(args, use_run, sellers, seed))
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    sys.exit(main())
