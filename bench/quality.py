#!/usr/bin/python3
"""Quality benchmark (not a test): the engine end to end against the plain
igraph baseline (bench/baseline.py) on FAMILIES of generated markets from two
generators, both scored by `sourcetrace eval` in the same run, summarised per
generator and size by the median and the worst decile of every metric; plus
the engine's AUC on the Amazon fraud graph (bench/amazon.py).

usage: bench/quality.py [--binary build/release/sourcetrace] [--work /tmp/sourcetrace-quality]
                        [--generators family,blind] [--cases 20000:24,200000:6] [--first-seed 1]
                        [--threads 2] [--job jobs/default.toml] [--no-baseline] [--no-amazon]
                        [--only-summary]

The generators (each seed a different market):
- family: `sourcetrace generate DIR --sellers N --seed S --vary --gzip`, the
  project's own generator drawing each market from its documented family
  (docs/generator.md; the binary must have --vary);
- blind: `bench/blind_market/generate.py DIR --sellers N --seed S --gzip`,
  an independent generator written from the table contract alone
  (bench/blind_market/README.md); its one JSON line on stdout is kept.

--cases SELLERS:COUNT,...: for every generator and every size, COUNT markets
with the seeds --first-seed ... --first-seed+COUNT-1. The default is the goal
set: 24 markets of 20,000 and 6 of 200,000 sellers from each generator.

One case (generator, sellers, seed):
1. the market, generated once and cached under WORK/GEN-N-sS (a .generated
   marker says it is complete; WORK/GEN-N-sS.generate.log has the
   generator's output, .market.json in the folder what it printed);
2. `sourcetrace run DATASET --out WORK/engine-GEN-N-sS --job JOB --threads T`
   under /usr/bin/time -v (wall seconds, peak RSS);
3. `sourcetrace eval OUT --truth TRUTH --dataset DATASET --explain --json`:
   the metrics and the fates of the planted rings (found, merged, split,
   below_min_risk, not_cut_out, scattered); the whole answer is kept as
   OUT/eval.json;
4. unless --no-baseline: `bench/baseline.py DATASET WORK/baseline-GEN-N-sS
   --seed 1` (--baseline-seed) under /usr/bin/time -v, scored by plain `sourcetrace eval`
   (the baseline writes no stage files, so it has no fates).
The 1-minute load average is recorded before and after (timings on a busy
machine mean little). A failing step stops the benchmark with the case, the
command, its exit status and the tail of its log on stderr, and exit
status 1; the document, with the cases measured so far and the failure
under "failed" (generator, sellers, seed, step, error), still goes to stdout
and to WORK/quality.json.

Output: one JSON document on stdout at the end (progress, one line per step
with the elapsed time, goes to stderr), also written to WORK/quality.json
(atomically) after every case, so an interrupted run keeps what it measured:
- "cases" (left out of stdout with --only-summary, always in the file): per
  case generator, sellers, seed, market (the blind generator's JSON line;
  the family generator's summary line), engine and baseline metrics with
  their counts, engine_minus_baseline per metric (positive: the engine is
  better, except for fresh_controls_caught where lower is better; null where
  either is null), fates, wall seconds and peak RSS MB of engine and
  baseline, load averages;
- "summary": per generator, per size (a string key): "markets"; for
  "engine" and "baseline" per metric median, worst_decile (the 10th
  percentile; for fresh_controls_caught, where lower is better, the 90th:
  "worst_decile_is" says which), min, max and markets_with_value (a metric
  with no value in a market, null, is left out and not counted);
  "engine_minus_baseline" per metric (median, min, max); "goals" per metric:
  direction and goal and, for engine and baseline, median_distance and
  worst_decile_distance (goal - value for a >= goal, value - goal for a <=
  goal: 0 or less = met) and met (both are); "fates" summed over the
  markets; median wall seconds and peak RSS MB of engine and baseline;
  "seeds";
- "amazon": bench/amazon.py's measure() with its defaults
  (datasets/amazon-fraud-upu, seed 1, a third reported, link image; work
  folder WORK/amazon), measured after the cases, engine_auc its headline;
  null with --no-amazon;
- "percentiles": the definition used (numpy.percentile's default, linear).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
METRICS = ("members_precision", "members_recall", "mean_ring_jaccard", "rings_found", "targets_precision",
           "supply_cut", "fresh_caught", "fresh_controls_caught")
COUNTS = ("networks_taken", "ring_entities", "rings", "k", "ks", "counterfeit_units", "fresh_ring_entities",
          "fresh_controls")
FATES = ("found", "merged", "split", "below_min_risk", "not_cut_out", "scattered")
LOWER_IS_BETTER = {"fresh_controls_caught"}
# (direction, goal): the goals, judged on the median and on the worst decile.
GOALS = {
    "members_precision": (">=", 0.90),
    "members_recall": (">=", 0.90),
    "mean_ring_jaccard": (">=", 0.70),
    "rings_found": (">=", 0.90),
    "targets_precision": (">=", 0.80),
    "supply_cut": (">=", 0.98),
    "fresh_caught": (">=", 0.95),
    "fresh_controls_caught": ("<=", 0.10),
}
GENERATORS = ("family", "blind")
PERCENTILES = ("numpy.percentile's default (method 'linear'): the sorted values v[0..n-1], the q-th "
               "percentile is v at the fractional rank (n-1)*q/100, interpolated linearly between its "
               "neighbours; p50 is the median")
BLIND = os.path.join(HERE, "blind_market", "generate.py")
START = time.perf_counter()


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def step(message):
    """One progress line, with the seconds since the benchmark started."""
    log("[%8.1f s] %s" % (time.perf_counter() - START, message))


def tail_of(path, chars=3000):
    try:
        with open(path, errors="replace") as f:
            return f.read()[-chars:]
    except OSError:
        return ""


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
        sys.exit("failed (exit %d): %s\nlog %s ends:\n%s" % (p.returncode, " ".join(cmd), log_path,
                                                             tail_of(log_path)))
    with open(stats) as f:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
    return wall, int(m.group(1)) / 1024.0, p.stdout


def truth_path(dataset):
    """truth.csv (the blind generator writes it plain) or truth.csv.gz."""
    for name in ("truth.csv", "truth.csv.gz"):
        path = os.path.join(dataset, name)
        if os.path.exists(path):
            return path
    sys.exit("%s: no truth.csv nor truth.csv.gz" % dataset)


def evaluate(binary, outdir, dataset, explain=False):
    """`sourcetrace eval` of a run's exports against the dataset's truth, as a dict; with explain
    (needs the run's stage files) also "explain" with the rings' fates. Stops on failure."""
    cmd = [binary, "eval", outdir, "--truth", truth_path(dataset), "--dataset", dataset]
    if explain:
        cmd += ["--explain", "--json"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("eval of %s failed (exit %d): %s\n%s" % (outdir, p.returncode, " ".join(cmd), p.stderr[-3000:]))
    return json.loads(p.stdout)


def market(binary, work, sellers, seed, threads, generator=None):
    """The dataset folder of one market, generated once (a .generated marker) and cached under work.
    generator None: the project's fixed market (WORK/market-N-sS, no --vary), as other benchmarks use it;
    "family": `generate --vary` (WORK/family-N-sS); "blind": bench/blind_market (WORK/blind-N-sS).
    Stops on failure with the command and the tail of its output."""
    name = generator or "market"
    path = os.path.join(work, "%s-%d-s%d" % (name, sellers, seed))
    done = os.path.join(path, ".generated")
    if os.path.exists(done):
        return path
    shutil.rmtree(path, ignore_errors=True)
    if generator == "blind":
        cmd = ["/usr/bin/python3", BLIND, path, "--sellers", str(sellers), "--seed", str(seed), "--gzip"]
    elif generator in (None, "family"):
        cmd = [binary, "generate", path, "--sellers", str(sellers), "--seed", str(seed), "--gzip",
               "--threads", str(threads)] + (["--vary"] if generator == "family" else [])
    else:
        sys.exit("unknown generator %r" % generator)
    step("generate %s: %d sellers, seed %d -> %s" % (name, sellers, seed, path))
    log_path = path + ".generate.log"
    p = subprocess.run(cmd, capture_output=True, text=True)
    with open(log_path, "w") as f:
        f.write(p.stderr + p.stdout)
    if p.returncode != 0:
        sys.exit("failed (exit %d): %s\nlog %s ends:\n%s" % (p.returncode, " ".join(cmd), log_path,
                                                             tail_of(log_path)))
    lines = [x for x in (p.stdout + "\n" + p.stderr).splitlines() if x.strip()]
    said = lines[-1].strip() if lines else None
    if generator == "blind":
        try:
            said = json.loads(p.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            pass
    with open(os.path.join(path, ".market.json"), "w") as f:
        json.dump(said, f)
    open(done, "w").close()
    return path


def market_said(dataset):
    """What the generator printed (cached next to the tables), or None."""
    try:
        with open(os.path.join(dataset, ".market.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def pick(e):
    return {k: (round(e[k], 4) if e.get(k) is not None else None) for k in METRICS} | {
        k: e.get(k) for k in COUNTS} | {"notes": e.get("notes", [])}


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def one_case(args, generator, sellers, seed, where):
    """Measures one market; where[0] names the step under way (for a failure report)."""
    where[0] = "generate"
    dataset = market(args.binary, args.work, sellers, seed, args.threads, generator)
    tag = "%s-%d-s%d" % (generator, sellers, seed)
    case = {"generator": generator, "sellers": sellers, "seed": seed, "dataset": dataset,
            "market": market_said(dataset), "loadavg_1min_before": round(os.getloadavg()[0], 2)}

    where[0] = "engine run"
    out = fresh_dir(os.path.join(args.work, "engine-" + tag))
    step("engine run: %s" % tag)
    wall, rss, _ = timed([args.binary, "run", dataset, "--out", out, "--job", args.job, "--threads",
                          str(args.threads)], os.path.join(out, "run.log"))
    where[0] = "engine eval"
    step("engine eval --explain: %s" % tag)
    engine = evaluate(args.binary, out, dataset, explain=True)
    with open(os.path.join(out, "eval.json"), "w") as f:
        json.dump(engine, f, indent=1)
    case["engine"] = pick(engine)
    case["fates"] = {k: engine["explain"]["fates"].get(k, 0) for k in FATES}
    case["engine_wall_s"] = round(wall, 3)
    case["engine_peak_rss_mb"] = round(rss, 1)

    if not args.no_baseline:
        where[0] = "baseline"
        base_out = fresh_dir(os.path.join(args.work, "baseline-" + tag))
        step("baseline: %s" % tag)
        b_wall, b_rss, b_stdout = timed(["/usr/bin/python3", os.path.join(HERE, "baseline.py"), dataset, base_out,
                                         "--seed", str(args.baseline_seed)], os.path.join(base_out, "baseline.log"))
        where[0] = "baseline eval"
        baseline = evaluate(args.binary, base_out, dataset)
        case["baseline"] = pick(baseline)
        case["engine_minus_baseline"] = {
            k: (round(engine[k] - baseline[k], 4) if engine.get(k) is not None and baseline.get(k) is not None
                else None) for k in METRICS}
        case["baseline_wall_s"] = round(b_wall, 3)
        case["baseline_peak_rss_mb"] = round(b_rss, 1)
        try:
            case["baseline_run"] = json.loads(b_stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            pass
    case["loadavg_1min_after"] = round(os.getloadavg()[0], 2)
    return case


def r4(x):
    return None if x is None else round(float(x), 4)


def spread(values, metric):
    """median, worst decile, min, max of the non-null values."""
    got = [v for v in values if v is not None]
    worst_q = 90 if metric in LOWER_IS_BETTER else 10
    s = {"median": None, "worst_decile": None,
         "worst_decile_is": "p90 (lower is better)" if worst_q == 90 else "p10 (higher is better)",
         "min": None, "max": None, "markets_with_value": len(got)}
    if got:
        a = np.asarray(got, dtype=float)
        s.update(median=r4(np.percentile(a, 50)), worst_decile=r4(np.percentile(a, worst_q)),
                 min=r4(a.min()), max=r4(a.max()))
    return s


def distance(metric, value):
    if value is None:
        return None
    direction, goal = GOALS[metric]
    return r4(goal - value if direction == ">=" else value - goal)


def median(values):
    got = [v for v in values if v is not None]
    return r4(np.percentile(np.asarray(got, dtype=float), 50)) if got else None


def summarise(cases):
    summary = {}
    for gen in sorted({c["generator"] for c in cases}, key=lambda g: (GENERATORS + (g,)).index(g)):
        summary[gen] = {}
        for sellers in sorted({c["sellers"] for c in cases if c["generator"] == gen}):
            group = [c for c in cases if c["generator"] == gen and c["sellers"] == sellers]
            sides = ["engine"] + (["baseline"] if any("baseline" in c for c in group) else [])
            s = {"markets": len(group), "seeds": [c["seed"] for c in group]}
            for side in sides:
                s[side] = {m: spread([c[side][m] for c in group if side in c], m) for m in METRICS}
            if "baseline" in sides:
                s["engine_minus_baseline"] = {}
                for m in METRICS:
                    d = spread([c["engine_minus_baseline"][m] for c in group if "engine_minus_baseline" in c], m)
                    s["engine_minus_baseline"][m] = {k: d[k] for k in ("median", "min", "max",
                                                                         "markets_with_value")}
            s["goals"] = {}
            for m in METRICS:
                direction, goal = GOALS[m]
                g = {"direction": direction, "goal": goal}
                for side in sides:
                    g[side] = {"median_distance": distance(m, s[side][m]["median"]),
                               "worst_decile_distance": distance(m, s[side][m]["worst_decile"])}
                    g[side]["met"] = (None if g[side]["worst_decile_distance"] is None
                                      else g[side]["median_distance"] <= 0 and g[side]["worst_decile_distance"] <= 0)
                s["goals"][m] = g
            s["fates"] = {k: sum(c["fates"][k] for c in group) for k in FATES}
            s["engine_wall_s_median"] = median([c["engine_wall_s"] for c in group])
            s["engine_peak_rss_mb_median"] = median([c["engine_peak_rss_mb"] for c in group])
            if "baseline" in sides:
                s["baseline_wall_s_median"] = median([c.get("baseline_wall_s") for c in group])
                s["baseline_peak_rss_mb_median"] = median([c.get("baseline_peak_rss_mb") for c in group])
            summary[gen][str(sellers)] = s
    return summary


def write_atomically(path, doc):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def shown(doc, only_summary):
    """The document for stdout: without the cases with --only-summary."""
    return {k: v for k, v in doc.items() if not (only_summary and k == "cases")}


def parse_cases(text):
    cases = []
    for part in text.split(","):
        try:
            sellers, count = (int(x) for x in part.split(":"))
        except ValueError:
            sys.exit("--cases: %r is not SELLERS:COUNT" % part)
        if sellers <= 0 or count <= 0:
            sys.exit("--cases: %r: sellers and count must be positive" % part)
        cases.append((sellers, count))
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=None,
                    help="default build/release/sourcetrace, else build/bench/sourcetrace")
    ap.add_argument("--work", default="/tmp/sourcetrace-quality")
    ap.add_argument("--generators", default=",".join(GENERATORS), help="comma-separated: family, blind")
    ap.add_argument("--cases", default="20000:24,200000:6",
                    help="SELLERS:COUNT,...: COUNT markets of SELLERS sellers from each generator")
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--job", default=os.path.join(ROOT, "jobs/default.toml"))
    ap.add_argument("--baseline-seed", type=int, default=1, help="seed of the baseline's Leiden")
    ap.add_argument("--no-baseline", action="store_true", help="the engine alone")
    ap.add_argument("--no-amazon", action="store_true", help="leave out the Amazon AUC")
    ap.add_argument("--only-summary", action="store_true", help="leave the per-case list out of stdout")
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
    args.job = os.path.abspath(args.job)
    generators = [g.strip() for g in args.generators.split(",") if g.strip()]
    for g in generators:
        if g not in GENERATORS:
            sys.exit("--generators: unknown %r (family, blind)" % g)
    sizes = parse_cases(args.cases)

    run_help = subprocess.run([args.binary, "run", "--help"], capture_output=True, text=True)
    if run_help.returncode != 0 or not re.search(r"^Usage: \S+ run\b", run_help.stdout, re.M):
        sys.exit("%s has no `run` subcommand" % args.binary)
    if "family" in generators:
        gen_help = subprocess.run([args.binary, "generate", "--help"], capture_output=True, text=True).stdout
        if "--vary" not in gen_help:
            sys.exit("%s generate has no --vary: the family generator is missing (build a newer binary, or "
                     "--generators blind)" % args.binary)
    os.makedirs(args.work, exist_ok=True)

    plan = [(g, n, s) for g in generators for n, count in sizes
            for s in range(args.first_seed, args.first_seed + count)]
    version = subprocess.run([args.binary, "--version"], capture_output=True, text=True).stdout.strip()
    doc = {
        "benchmark": "engine vs baseline on families of generated markets",
        "binary": args.binary, "version": version, "threads": args.threads, "job": args.job,
        "generators": {
            "family": "sourcetrace generate --vary --gzip (the project's market family, docs/generator.md)",
            "blind": "bench/blind_market/generate.py --gzip (independent, bench/blind_market/README.md)",
        },
        "cases_asked": args.cases, "first_seed": args.first_seed,
        "engine_mode": "sourcetrace run",
        "baseline": None if args.no_baseline else
        "bench/baseline.py: igraph Leiden (modularity, seed %d), events as weights, no damping" % args.baseline_seed,
        "goals": {m: "%s %.2f" % GOALS[m] for m in METRICS},
        "percentiles": PERCENTILES,
        "cpus": os.cpu_count(),
        "summary": {},
        "amazon": None,
        "cases": [],
    }
    result_path = os.path.join(args.work, "quality.json")
    for i, (gen, sellers, seed) in enumerate(plan, 1):
        step("case %d/%d: %s, %d sellers, seed %d" % (i, len(plan), gen, sellers, seed))
        where = ["start"]
        try:
            case = one_case(args, gen, sellers, seed, where)
        except (SystemExit, Exception) as e:
            error = str(e.code) if isinstance(e, SystemExit) else "%s: %s" % (type(e).__name__, e)
            doc["failed"] = {"generator": gen, "sellers": sellers, "seed": seed, "step": where[0], "error": error}
            doc["summary"] = summarise(doc["cases"])
            write_atomically(result_path, doc)
            log("case %d/%d FAILED (%s, %d sellers, seed %d) at %s; the %d cases measured before are in %s"
                % (i, len(plan), gen, sellers, seed, where[0], len(doc["cases"]), result_path))
            print(json.dumps(shown(doc, args.only_summary), indent=2))
            if isinstance(e, SystemExit):
                sys.exit("case %d/%d FAILED (%s, %d sellers, seed %d) at %s:\n%s" % (
                    i, len(plan), gen, sellers, seed, where[0], error))
            raise
        doc["cases"].append(case)
        doc["summary"] = summarise(doc["cases"])
        write_atomically(result_path, doc)
        e = case["engine"]
        step("case %d/%d done: engine members P %s R %s, rings found %s, targets P %s, fresh %s/%s controls; "
             "%.1f s" % (i, len(plan), e["members_precision"], e["members_recall"], e["rings_found"],
                         e["targets_precision"], e["fresh_caught"], e["fresh_controls_caught"],
                         case["engine_wall_s"]))

    if not args.no_amazon:
        sys.path.insert(0, HERE)
        import amazon
        step("Amazon AUC (bench/amazon.py)")
        amazon_work = os.path.join(args.work, "amazon")
        os.makedirs(amazon_work, exist_ok=True)
        try:
            doc["amazon"] = amazon.measure(args.binary, amazon_work, os.path.join(ROOT, "datasets/amazon-fraud-upu"),
                                           1, 1.0 / 3.0, "image", args.job, args.threads)
        except SystemExit as e:
            doc["failed"] = {"step": "amazon", "error": str(e.code)}
            write_atomically(result_path, doc)
            print(json.dumps(shown(doc, args.only_summary), indent=2))
            sys.exit("Amazon FAILED:\n%s\n(the cases are in %s)" % (e.code, result_path))
        write_atomically(result_path, doc)
        step("Amazon: engine AUC %s (ceiling %s, baseline %s)" % (
            doc["amazon"].get("engine_auc"), doc["amazon"].get("ceiling_best_auc"),
            doc["amazon"].get("baseline_igraph_leiden_auc")))
    step("done: %d cases; %s" % (len(doc["cases"]), result_path))
    print(json.dumps(shown(doc, args.only_summary), indent=2))


if __name__ == "__main__":
    sys.exit(main())
