#!/usr/bin/python3
"""Feedback benchmark (not a test): brands and investigators feed the engine
through a real `sourcetrace serve`, night after night, and the nightly run
learns from it — measured with the weight fit on and off.

usage: bench/feedback.py [--binary build/release/sourcetrace] [--work /tmp/sourcetrace-feedback]
                         [--sellers 20000] [--nights 6] [--seed 1] [--markets misleading,ordinary]
                         [--networks 15] [--storefronts 3] [--verdicts 5] [--wrong 0.1] [--threads 2]
                         [--png FILE]

Two markets, each written night by night (`generate --nights K`):
- misleading: evidence the default weights read wrongly — most of the
  rings' storefronts draw complaints (a complaint weighs 0.05 by default)
  and few draw takedowns or test-buys, while legitimate sellers and
  look-alike businesses draw many wrong takedowns (a takedown weighs 1)
  (`--profile`: [evidence] storefront_evidence 0.02, storefront_complaint
  0.6, independent_complaint 0.005, independent_wrong_takedown 0.15,
  company_store_noise 0.6);
- ordinary: a market of the family as it comes (`--vary`), where the
  default weights are right.

Each night k, for each market, two runs of the same night with the same
journal (`run night-k --previous ARM-(k-1) --feedback JOURNAL`): `off` with
[risk] fit = false, `on` with fit = true. Both are scored by `sourcetrace
eval` against the night's truth.csv. Then the `off` run is published and
served (its own runs folder, the one journal), and through the Thrift
client:
- brands test-buy up to --storefronts storefronts (role hint) of each of
  the --networks most suspect networks not bought from before: the truth
  decides (a ring's storefront sells a counterfeit, anyone else the real
  thing), reported on the night's as-of date (submit_reports);
- investigators close --verdicts cases, the most suspect networks without
  a verdict yet: confirmed when most members are a ring's, else cleared,
  and a --wrong share of them the other way (record_verdict).
The next night both arms take the grown journal. New evidence helps both
arms alike; what `on` gains over `off` is the learning.

On the misleading market's night 0 a third run, `hand`, scores with the
weights a person who knew the market would set (complaints 1, takedowns
0.05, test-buys 1): the most any weights could give, so the ceiling of what
the fit can learn.

Prints one JSON object: per market and night, members precision and
recall, rings found and targets precision of both arms, the weights `on`
used and why, the journal's size; the gains of `on` over `off` and of
`hand` over `off` in each metric; and the goals with their distances:
- misleading: on − off members precision >= 0.15 at some night within 5
  nights of feedback;
- on's members precision never down by more than 0.02 from one night to
  the next (wrong verdicts must not derail it);
- ordinary: off − on members precision at most 0.02 on every night.
Draws both arms' members precision per night as a PNG (--png, default
WORK/feedback.png) with Debian's python3-matplotlib
(`SOURCETRACE_BENCH=1 scripts/install-deps` installs it); without it the
JSON says so and no PNG is drawn.
"""
import argparse
import csv
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta

import h5py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MISLEADING = """[evidence]
storefront_evidence = 0.02
storefront_complaint = 0.6
independent_complaint = 0.005
independent_wrong_takedown = 0.15
company_store_noise = 0.6
"""

# The weights a person who knew the misleading market would set: what the
# fit could learn at best (the `hand` run of night 0).
HAND = """[risk]
fit = false
complaint = 1.0
takedown = 0.05
test_buy_counterfeit = 1.0
"""

METRICS = ("members_precision", "members_recall", "rings_found", "targets_precision")


def run(cmd, log, env=None):
    with open(log, "a") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, env=env)
    if r.returncode != 0:
        tail = open(log).read()[-3000:]
        sys.exit(f"feedback: {' '.join(cmd)} exited {r.returncode} (log {log}):\n{tail}")


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def as_of_date(run_dir):
    with h5py.File(os.path.join(run_dir, "risk.h5"), "r") as f:
        return (date(1970, 1, 1) + timedelta(days=int(f["risk"].attrs["as_of"]))).isoformat()


def evaluate(binary, run_dir, night_dir):
    out = subprocess.run([binary, "eval", run_dir, "--truth", os.path.join(night_dir, "truth.csv"), "--dataset",
                          night_dir], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"feedback: eval of {run_dir} failed:\n{out.stderr}")
    m = json.loads(out.stdout)
    return {k: m.get(k) for k in METRICS}


class Served:
    """`sourcetrace serve` on one run folder, with the bench's journal."""

    def __init__(self, binary, work, run_dir, tokens, journal, python_dir):
        self.runs = os.path.join(work, "served")
        shutil.rmtree(self.runs, ignore_errors=True)
        run([binary, "publish", run_dir, "--to", self.runs], os.path.join(work, "serve.log"))
        self.err = open(os.path.join(work, "serve.err"), "w+")
        self.proc = subprocess.Popen([binary, "serve", self.runs, "--port", "0", "--tokens", tokens, "--journal",
                                      journal, "--audit", os.path.join(work, "audit.jsonl"),
                                      "--write-rate", "1000000"], stderr=self.err)
        port = None
        for _ in range(600):
            self.err.seek(0)
            m = re.search(r"listening on 127\.0\.0\.1:(\d+),", self.err.read())
            if m:
                port = int(m.group(1))
                break
            time.sleep(0.05)
        if not port:
            self.proc.kill()
            sys.exit("feedback: the server did not start")
        sys.path.insert(0, python_dir)
        from thrift.protocol import TBinaryProtocol
        from thrift.transport import TSocket, TTransport
        from sourcetrace_service import Investigator
        self.transport = TTransport.TFramedTransport(TSocket.TSocket("127.0.0.1", port))
        self.client = Investigator.Client(TBinaryProtocol.TBinaryProtocol(self.transport))
        self.transport.open()

    def close(self):
        self.transport.close()
        self.proc.terminate()
        self.proc.wait(timeout=30)


def feed(served, token, run_dir, truth, as_of, state, a, rng):
    """One night's test-buys and verdicts through the service; returns counts."""
    from sourcetrace_service import ttypes
    ring_of = {(r["kind"], r["id"]): r["ring"] for r in truth}
    networks = sorted(rows(os.path.join(run_dir, "networks.csv")), key=lambda r: -float(r["risk"]))
    members = {}
    for m in rows(os.path.join(run_dir, "members.csv")):
        members.setdefault(m["network"], []).append(m)
    reports, bought = [], 0
    for n in networks[:a.networks]:
        brand = (n["brands"].split(";")[0] if n["brands"] else "") or "B001"
        shops = [m for m in members.get(n["network"], []) if m["role_hint"] == "storefront"
                 and (m["kind"], m["id"]) not in state["bought"]]
        for m in shops[:a.storefronts]:
            key = (m["kind"], m["id"])
            state["bought"].add(key)
            counterfeit = bool(ring_of.get(key, ""))
            state["serial"] += 1
            reports.append(ttypes.Report(f"tb-{state['serial']}", ttypes.EntityRef(m["kind"], m["id"]),
                                         "test_buy_counterfeit" if counterfeit else "test_buy_genuine", brand, as_of))
            bought += 1
    accepted = 0
    for i in range(0, len(reports), 500):
        accepted += sum(r.accepted for r in served.client.submit_reports(token, reports[i:i + 500]))
    verdicts = wrong = 0
    for n in networks:
        if verdicts >= a.verdicts:
            break
        if n["network"] in state["closed"]:
            continue
        state["closed"].add(n["network"])
        ms = members.get(n["network"], [])
        ring_share = sum(1 for m in ms if ring_of.get((m["kind"], m["id"]), "")) / max(1, len(ms))
        confirmed = ring_share >= 0.5
        if rng.random() < a.wrong:
            confirmed, wrong = not confirmed, wrong + 1
        served.client.record_verdict(token, n["network"], "confirmed" if confirmed else "cleared",
                                     f"bench night verdict ({ring_share:.2f} of members a ring's)")
        verdicts += 1
    return {"test_buys": bought, "accepted": accepted, "verdicts": verdicts, "wrong_verdicts": wrong}


def weights_used(run_dir):
    w = json.load(open(os.path.join(run_dir, "summary.json"))).get("weights", {})
    return {"used": w.get("used"), "why": w.get("why"), "positives": w.get("positives"),
            "negatives": w.get("negatives")}


def one_market(a, binary, name, work):
    os.makedirs(work, exist_ok=True)
    market = os.path.join(work, "market")
    log = os.path.join(work, "bench.log")
    if not os.path.exists(os.path.join(work, ".generated")):
        shutil.rmtree(market, ignore_errors=True)
        cmd = [binary, "generate", market, "--sellers", str(a.sellers), "--seed", str(a.seed), "--nights", str(a.nights)]
        if name == "misleading":
            profile = os.path.join(work, "profile.toml")
            open(profile, "w").write(MISLEADING)
            cmd += ["--profile", profile]
        else:
            cmd += ["--vary"]
        run(cmd, log)
        open(os.path.join(work, ".generated"), "w").close()
    jobs = {}
    for arm, text in (("off", "[risk]\nfit = false\n"), ("on", "[risk]\nfit = true\n"), ("hand", HAND)):
        jobs[arm] = os.path.join(work, f"{arm}.toml")
        open(jobs[arm], "w").write(text)
    journal = os.path.join(work, "feedback.jsonl")
    for stale in [journal, os.path.join(work, "audit.jsonl"), os.path.join(work, "audit.jsonl.head")]:
        if os.path.exists(stale):
            os.remove(stale)
    tokens = os.path.join(work, "tokens")
    if os.path.exists(tokens):
        os.remove(tokens)
    token = subprocess.run([binary, "token", "add", tokens, "--id", "bench", "--role", "investigator"],
                           capture_output=True, text=True, check=True).stdout.strip()
    python_dir = os.path.join(os.path.dirname(binary), "python")
    rng = random.Random(a.seed)
    state = {"bought": set(), "closed": set(), "serial": 0}
    nights = []
    for k in range(a.nights):
        night = os.path.join(market, f"night-{k}")
        entry = {"night": k}
        for arm in ("off", "on"):
            out = os.path.join(work, f"{arm}-{k}")
            shutil.rmtree(out, ignore_errors=True)
            cmd = [binary, "run", night, "--out", out, "--job", jobs[arm], "--threads", str(a.threads),
                   "--feedback", journal]
            if k > 0:
                cmd += ["--previous", os.path.join(work, f"{arm}-{k - 1}")]
            run(cmd, log)
            entry[arm] = evaluate(binary, out, night)
            if arm == "on":
                entry["on_weights"] = weights_used(out)
        if k == 0 and name == "misleading":
            out = os.path.join(work, "hand-0")
            shutil.rmtree(out, ignore_errors=True)
            run([binary, "run", night, "--out", out, "--job", jobs["hand"], "--threads", str(a.threads)], log)
            entry["hand"] = evaluate(binary, out, night)
        entry["journal_lines"] = sum(1 for _ in open(journal)) if os.path.exists(journal) else 0
        if k + 1 < a.nights:
            served = Served(binary, work, os.path.join(work, f"off-{k}"), tokens, journal, python_dir)
            try:
                entry["fed"] = feed(served, token, os.path.join(work, f"off-{k}"), rows(os.path.join(night, "truth.csv")),
                                    as_of_date(os.path.join(work, f"off-{k}")), state, a, rng)
            finally:
                served.close()
        nights.append(entry)
        sys.stderr.write(f"feedback: {name} night {k}: {json.dumps(entry)}\n")
    return nights


def summarise(results, a):
    out = {}
    for name, nights in results.items():
        gain = [n["on"]["members_precision"] - n["off"]["members_precision"] for n in nights
                if n["on"]["members_precision"] is not None and n["off"]["members_precision"] is not None]
        on = [n["on"]["members_precision"] for n in nights]
        drops = [on[i] - on[i + 1] for i in range(len(on) - 1) if on[i] is not None and on[i + 1] is not None]
        # What the fit changes in the other metrics: best gain and worst cost
        # over the first nights.
        others = {}
        for k in METRICS[1:]:
            g = [n["on"][k] - n["off"][k] for n in nights[:6] if n["on"][k] is not None and n["off"][k] is not None]
            others[k] = {"best_gain_within_5": round(max(g), 4) if g else None,
                         "worst_cost": round(max(-x for x in g), 4) if g else None}
        s = {"best_gain_within_5": round(max(gain[:6]), 4) if gain else None,
             "worst_cost": round(max(-g for g in gain), 4) if gain else None,
             "worst_night_to_night_drop_on": round(max(drops), 4) if drops else None,
             "other_metrics_on_minus_off": others}
        if "hand" in nights[0]:
            # The ceiling: members precision and the rest under weights set by hand.
            s["hand_weights_night_0_minus_off"] = {
                k: None if nights[0]["hand"][k] is None or nights[0]["off"][k] is None
                else round(nights[0]["hand"][k] - nights[0]["off"][k], 4) for k in METRICS}
        if name == "misleading":
            s["goal_gain"] = {"value": s["best_gain_within_5"], "goal": ">= 0.15",
                              "distance": None if s["best_gain_within_5"] is None
                              else round(s["best_gain_within_5"] - 0.15, 4)}
        else:
            s["goal_cost"] = {"value": s["worst_cost"], "goal": "<= 0.02",
                              "distance": None if s["worst_cost"] is None else round(0.02 - s["worst_cost"], 4)}
        s["goal_no_derail"] = {"value": s["worst_night_to_night_drop_on"], "goal": "<= 0.02",
                               "distance": None if s["worst_night_to_night_drop_on"] is None
                               else round(0.02 - s["worst_night_to_night_drop_on"], 4)}
        out[name] = s
    return out


def draw(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(results), figsize=(6 * len(results), 4), squeeze=False)
    for ax, (name, nights) in zip(axes[0], results.items()):
        ks = [n["night"] for n in nights]
        for arm, style in (("off", "--"), ("on", "-")):
            ax.plot(ks, [n[arm]["members_precision"] for n in nights], style, marker="o",
                    label=f"fit {arm}")
        ax.set_title(f"{name} market")
        ax.set_xlabel("night")
        ax.set_ylabel("members precision")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, "build/release/sourcetrace"))
    ap.add_argument("--work", default="/tmp/sourcetrace-feedback")
    ap.add_argument("--sellers", type=int, default=20000)
    ap.add_argument("--nights", type=int, default=6)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--markets", default="misleading,ordinary")
    ap.add_argument("--networks", type=int, default=15, help="networks test-bought from per night")
    ap.add_argument("--storefronts", type=int, default=3, help="storefronts test-bought per network")
    ap.add_argument("--verdicts", type=int, default=5, help="cases closed per night")
    ap.add_argument("--wrong", type=float, default=0.1, help="share of verdicts the wrong way")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--png", default="")
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    results = {}
    for name in a.markets.split(","):
        results[name] = one_market(a, binary, name, os.path.join(a.work, f"{name}-{a.sellers}-s{a.seed}"))
    png = a.png or os.path.join(a.work, "feedback.png")
    try:
        draw(results, png)
    except ImportError:
        png = "not drawn: no matplotlib (SOURCETRACE_BENCH=1 scripts/install-deps installs python3-matplotlib)"
    print(json.dumps({"benchmark": "feedback", "sellers": a.sellers, "nights": a.nights, "seed": a.seed,
                      "wrong_verdicts": a.wrong, "summary": summarise(results, a), "png": png,
                      "markets": results}, indent=1))


if __name__ == "__main__":
    main()
