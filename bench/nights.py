#!/usr/bin/python3
"""Night-after-night benchmark (not a test): a market written night by
night (`generate --nights`), run as a chain (`run --previous`), measured
against what each night planted (docs/continuity.md, docs/generator.md).

usage: bench/nights.py [--binary build/release/sourcetrace] [--work /tmp/sourcetrace-nights]
                       [--sellers 200000] [--nights 7] [--seed 1] [--threads 2] [--job FILE]

Steps: `generate WORK/market --sellers N --seed S --vary --nights K`
(cached: a .generated marker says it is complete), then for each night k
`run WORK/market/night-k --out WORK/run-k [--previous WORK/run-(k-1)]`.
From the second night on, with the previous night's files:

- ids kept: networks listed on both nights (at or above the minimum risk)
  whose members changed by under 10% (unweighted Jaccard >= 0.9 between a
  network of night k-1 and its best match of night k, members from
  members.csv) that kept their id. Goal >= 0.99.
- alerts against events: events of a night grouped (new_evidence and
  new_ring per ring, fresh_storefront and legit_growth per entity,
  dismantled per ring); an alert matches an event when its network holds at
  least half the event's entities. Precision: alerts that match a
  new_evidence, fresh_storefront or new_ring event, or early warnings on
  the market generator's own fresh ring storefronts (truth.csv: a ring,
  fresh 1, planted in night 0's market), of all alerts (one matching
  legitimate growth, or nothing, is false); also given with events.csv's
  events only. Recall: those events
  matched by at least one alert. Goals >= 0.90 each. Also (no goal): the
  share of alerts about a planted ring at all, events or not (the entity
  named is a ring's, or most of the network's members are, by truth.csv).
- fresh storefronts of known rings flagged the night they appear:
  fresh_storefront entities of a ring the previous night listed (one of
  its networks is mostly the ring's) named by an early_warning alert that
  night. Goal >= 0.90. Also given over every planted fresh storefront.
- ids never reused: from lineage.h5 (every network, not only the listed
  ones), an id that left the run and came back, or a new id the previous
  run's chain had already issued. Goal: none.
- warm start against cold: from the second night on, the same night is
  also run cold (`run` without --previous, WORK/cold-k). Per night: the
  detect algorithm seconds of each (communities.h5's algorithm_seconds),
  their ratio (goal <= 0.3), the modularity difference (goal within
  0.001) and the difference of every `eval` metric (goal within 0.01),
  and the share of the night's table rows that changed since the night
  before (the goal is set for nights with <= 1%). `--no-cold` skips it.

Prints one JSON object: per night and over all nights, each figure with
its goal and distance.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
from collections import defaultdict

import h5py


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def run(cmd, log):
    with open(log, "w") as out:
        p = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        sys.stderr.write(f"nights: {' '.join(cmd)} failed (exit {p.returncode}); see {log}\n")
        with open(log) as f:
            sys.stderr.write(f.read()[-3000:])
        sys.exit(1)


def members_of(run_dir):
    """network id -> set of kind:id, over the listed networks."""
    out = defaultdict(set)
    for r in rows(os.path.join(run_dir, "members.csv")):
        out[r["network"]].add(f"{r['kind']}:{r['id']}")
    return out


def all_ids(run_dir):
    with h5py.File(os.path.join(run_dir, "lineage.h5"), "r") as f:
        return set(int(x) for x in f["/lineage/id"][:]), set(int(x) for x in f["/lineage/issued"][:])


def ratio(num, den):
    return None if den == 0 else num / den


def goal(value, target, at_least=True):
    if value is None:
        return {"value": None, "goal": target, "distance": None}
    distance = value - target if at_least else target - value
    return {"value": round(value, 4), "goal": target, "distance": round(min(0.0, distance), 4)}


def night_figures(prev_dir, run_dir, events_path, truth_path):
    before, after = members_of(prev_dir), members_of(run_dir)
    truth = rows(truth_path)
    ring_of = {f"{r['kind']}:{r['id']}": r.get("ring", "") for r in truth}
    # The market generator's own fresh ring storefronts (truth: a ring, fresh 1),
    # planted in night 0's market: an early warning naming one is right too.
    generator_fresh = {f"{r['kind']}:{r['id']}" for r in truth if r.get("ring") and r.get("fresh") == "1"}
    # ids kept by networks that changed by under 10%
    eligible = kept = 0
    for x_id, x in before.items():
        best, best_j = None, 0.0
        for y_id, y in after.items():
            inter = len(x & y)
            if inter == 0:
                continue
            j = inter / len(x | y)
            if j > best_j:
                best, best_j = y_id, j
        if best is not None and best_j >= 0.9:
            eligible += 1
            kept += best == x_id
    # events
    groups = defaultdict(set)
    for e in rows(events_path):
        if e["event"] in ("fresh_storefront", "legit_growth"):
            key = (e["event"], e["ring"], e["id"])
        else:
            key = (e["event"], e["ring"], "")
        groups[key].add(f"{e['kind']}:{e['id']}")
    wanted = {k for k in groups if k[0] in ("new_evidence", "fresh_storefront", "new_ring")}
    alerts = rows(os.path.join(run_dir, "alerts.csv"))
    matched_events = set()
    true_alerts = 0
    by_kind = defaultdict(lambda: [0, 0])  # alert kind -> [matching a wanted event, all]
    flagged = set()
    on_rings = strict_alerts = 0
    for a in alerts:
        net = after.get(a["network"], set())
        # About a ring at all: the entity named is a ring's, or most of the network is.
        entity = f"{a['kind']}:{a['id']}"
        if a["id"]:
            on_rings += ring_of.get(entity, "") != ""
        else:
            on_rings += 2 * sum(1 for m in net if ring_of.get(m, "")) > len(net)
        hits = {k for k, ents in groups.items() if 2 * len(net & ents) >= len(ents)}
        good = hits & wanted
        by_kind[a["alert"]][1] += 1
        if good:
            true_alerts += 1
            strict_alerts += 1
            by_kind[a["alert"]][0] += 1
            matched_events |= good
        elif a["alert"] == "early_warning" and entity in generator_fresh:
            true_alerts += 1
            by_kind[a["alert"]][0] += 1
        if a["alert"] == "early_warning":
            flagged.add(f"{a['kind']}:{a['id']}")
    fresh = [ents for k, ents in groups.items() if k[0] == "fresh_storefront"]
    fresh_flagged = sum(1 for ents in fresh if ents & flagged)
    # Known rings: a network listed the night before is mostly the ring's.
    known = set()
    for net in before.values():
        counts = defaultdict(int)
        for m in net:
            counts[ring_of.get(m, "")] += 1
        top = max(counts, key=counts.get)
        if top and 2 * counts[top] > len(net):
            known.add(top)
    fresh_known = [ents for k, ents in groups.items() if k[0] == "fresh_storefront" and k[1] in known]
    fresh_known_flagged = sum(1 for ents in fresh_known if ents & flagged)
    recall_by_event = {}
    for kind in ("new_evidence", "fresh_storefront", "new_ring"):
        ks = [k for k in wanted if k[0] == kind]
        recall_by_event[kind] = [sum(1 for k in ks if k in matched_events), len(ks)]
    return {
        "ids": [kept, eligible],
        "alerts": [true_alerts, len(alerts)],
        "alerts_events_only": [strict_alerts, len(alerts)],
        "alerts_on_rings": [on_rings, len(alerts)],
        "events": [len(matched_events), len(wanted)],
        "fresh": [fresh_known_flagged, len(fresh_known)],
        "fresh_all_rings": [fresh_flagged, len(fresh)],
        "alerts_by_kind": {k: v for k, v in sorted(by_kind.items())},
        "recall_by_event": recall_by_event,
    }


def detect_record(run_dir):
    with h5py.File(os.path.join(run_dir, "communities.h5"), "r") as f:
        g = f["communities"]
        q = float(g.attrs["modularity"]) if "modularity" in g.attrs else None
        return float(g.attrs["algorithm_seconds"]), q


EVAL_METRICS = ("members_precision", "members_recall", "mean_ring_jaccard", "rings_found", "targets_precision",
                "supply_cut")


def eval_metrics(binary, run_dir, night_dir, log):
    out = subprocess.run([binary, "eval", run_dir, "--truth", os.path.join(night_dir, "truth.csv"), "--dataset",
                          night_dir], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"nights: eval of {run_dir} failed (see {log}):\n{out.stderr}")
    m = json.loads(out.stdout)
    return {k: m[k] for k in EVAL_METRICS if m.get(k) is not None}


def table_lines(night_dir):
    """Each table's data lines as a set (gz or plain), for the changed-rows share."""
    import gzip
    lines = {}
    for name in sorted(os.listdir(night_dir)):
        if name.startswith(("truth", "events")) or not (name.endswith(".csv") or name.endswith(".csv.gz")):
            continue
        opener = gzip.open if name.endswith(".gz") else open
        with opener(os.path.join(night_dir, name), "rt") as f:
            next(f, None)
            lines[name.replace(".gz", "")] = set(f)
    return lines


def changed_share(before_dir, after_dir):
    before, after = table_lines(before_dir), table_lines(after_dir)
    changed = total = 0
    for name, rows_after in after.items():
        rows_before = before.get(name, set())
        changed += len(rows_after ^ rows_before)
        total += max(len(rows_after), len(rows_before))
    return changed / total if total else 0.0


def warm_against_cold(binary, work, market, k, warm_out, threads, job):
    night = os.path.join(market, f"night-{k}")
    cold_out = os.path.join(work, f"cold-{k}")
    log = os.path.join(work, f"cold-{k}.log")
    if not os.path.exists(os.path.join(cold_out, "manifest.json")):
        run([binary, "run", night, "--out", cold_out, "--threads", str(threads)] + job, log)
    warm_s, warm_q = detect_record(warm_out)
    cold_s, cold_q = detect_record(cold_out)
    warm_m = eval_metrics(binary, warm_out, night, log)
    cold_m = eval_metrics(binary, cold_out, night, log)
    return {"warm_seconds": round(warm_s, 3), "cold_seconds": round(cold_s, 3),
            "ratio": round(warm_s / cold_s, 3) if cold_s > 0 else None,
            "modularity_diff": None if warm_q is None or cold_q is None else round(warm_q - cold_q, 5),
            "eval_diff": {k2: round(warm_m[k2] - cold_m[k2], 4) for k2 in warm_m if k2 in cold_m},
            "changed_rows": round(changed_share(os.path.join(market, f"night-{k - 1}"), night), 4)}


def warm_summary(per_night):
    w = [n["warm_start"] for n in per_night if "warm_start" in n]
    if not w:
        return {"value": None, "note": "not measured (--no-cold)"}
    ratios = [x["ratio"] for x in w if x["ratio"] is not None]
    q = [abs(x["modularity_diff"]) for x in w if x["modularity_diff"] is not None]
    worst_eval = {}
    for x in w:
        for k, d in x["eval_diff"].items():
            if abs(d) > abs(worst_eval.get(k, 0)):
                worst_eval[k] = d
    mean_ratio = sum(ratios) / len(ratios) if ratios else None
    return {"ratio_mean": None if mean_ratio is None else round(mean_ratio, 3),
            "ratio_worst": max(ratios) if ratios else None,
            "goal": "<= 0.3x cold detect algorithm time on nights with <= 1% changed rows, "
                    "modularity within 0.001, eval within 0.01",
            "distance": None if mean_ratio is None else round(max(0.0, mean_ratio - 0.3), 3),
            "modularity_diff_worst": max(q) if q else None,
            "eval_diff_worst": worst_eval,
            "changed_rows": [x["changed_rows"] for x in w]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default="build/release/sourcetrace")
    ap.add_argument("--work", default="/tmp/sourcetrace-nights")
    ap.add_argument("--sellers", type=int, default=200000)
    ap.add_argument("--nights", type=int, default=7)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--job", default="")
    ap.add_argument("--no-cold", action="store_true", help="do not run each night cold to measure the warm start")
    ap.add_argument("--reuse", action="store_true",
                    help="score the complete runs already in WORK again instead of running them")
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    work = os.path.join(a.work, f"{a.sellers}-s{a.seed}-n{a.nights}")
    os.makedirs(work, exist_ok=True)
    market = os.path.join(work, "market")
    if not os.path.exists(os.path.join(work, ".generated")):
        run([binary, "generate", market, "--sellers", str(a.sellers), "--seed", str(a.seed), "--vary",
             "--nights", str(a.nights)], os.path.join(work, "generate.log"))
        open(os.path.join(work, ".generated"), "w").close()
    job = ["--job", a.job] if a.job else []
    per_night = []
    reused = 0
    seen_before = set()
    for k in range(a.nights):
        out = os.path.join(work, f"run-{k}")
        cmd = [binary, "run", os.path.join(market, f"night-{k}"), "--out", out, "--threads", str(a.threads)] + job
        if k > 0:
            cmd += ["--previous", os.path.join(work, f"run-{k - 1}")]
        if not (a.reuse and os.path.exists(os.path.join(out, "manifest.json"))):
            run(cmd, os.path.join(work, f"run-{k}.log"))
        summary = json.load(open(os.path.join(out, "summary.json")))
        detect = next(s for s in summary["stages"] if s["stage"] == "detect")
        ids, issued = all_ids(out)
        entry = {"night": k, "detect_seconds": round(detect["seconds"], 2),
                 "networks_listed": summary["counts"]["networks_at_min_risk"]}
        if k > 0:
            prev_ids, prev_issued = all_ids(os.path.join(work, f"run-{k - 1}"))
            new = ids - prev_ids
            reused += len(new & prev_issued) + len(new & seen_before)
            entry.update(night_figures(os.path.join(work, f"run-{k - 1}"), out,
                                       os.path.join(market, f"night-{k}", "events.csv"),
                                       os.path.join(market, f"night-{k}", "truth.csv")))
            if not a.no_cold:
                entry["warm_start"] = warm_against_cold(binary, work, market, k, out, a.threads, job)
        seen_before |= ids
        per_night.append(entry)
        sys.stderr.write(f"nights: night {k} done: {json.dumps(entry)}\n")

    def total(key):
        num = sum(n[key][0] for n in per_night if key in n)
        den = sum(n[key][1] for n in per_night if key in n)
        return ratio(num, den), num, den

    ids, ki, ke = total("ids")
    precision, tp, na = total("alerts")
    recall, me, we = total("events")
    fresh, ff, nf = total("fresh")
    fresh_all, fa, na_ = total("fresh_all_rings")
    rings, ar, aa = total("alerts_on_rings")
    strict, st, sa = total("alerts_events_only")
    result = {
        "benchmark": "nights",
        "sellers": a.sellers, "nights": a.nights, "seed": a.seed, "threads": a.threads,
        "ids_kept": dict(goal(ids, 0.99), kept=ki, eligible=ke),
        "alert_precision": dict(goal(precision, 0.90), true=tp, alerts=na),
        "alert_precision_events_only": dict(goal(strict, 0.90), true=st, alerts=sa,
                                            note="only events.csv's events count; the generator's own fresh ring "
                                                 "storefronts flagged are counted false"),
        "alert_recall": dict(goal(recall, 0.90), matched=me, events=we),
        "alerts_on_rings": {"value": None if rings is None else round(rings, 4), "on_rings": ar, "alerts": aa,
                            "note": "alerts about a planted ring at all (the entity named is a ring's, or most of "
                                    "the network's members are), events or not: no goal"},
        "fresh_flagged": dict(goal(fresh, 0.90), flagged=ff, fresh=nf,
                              note="fresh storefronts of known rings (a network listed the night before is mostly "
                                   "the ring's)"),
        "fresh_flagged_all_rings": {"value": None if fresh_all is None else round(fresh_all, 4), "flagged": fa,
                                    "fresh": na_, "note": "every planted fresh storefront, its ring known or not"},
        "ids_reused": {"value": reused, "goal": 0},
        "warm_start": warm_summary(per_night),
        "per_night": per_night,
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
