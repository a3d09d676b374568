#!/usr/bin/python3
"""The query service under hostile clients (a benchmark, not a test).

usage: bench/hostile.py [--binary build/release/sourcetrace] [--work /tmp/sourcetrace-hostile-bench]
                        [--sellers 20000] [--seed 1] [--callers 4] [--seconds 15] [--idle 1000]
                        [--drippers 100] [--claims 64] [--soak-minutes 10] [--max-frame 1048576]

Against one `sourcetrace serve` on 127.0.0.1 over a run of a --sellers market
(generated and run in WORK, cached), three measurements, each side by side
with its reference in the same run:

1. claims: --claims connections at once, each claiming 2 GiB: in the frame
   header, in the message name, in the token, and (the most a client can
   legitimately make the server hold) a frame of exactly --max-frame bytes
   of which all but the last byte is sent. The server's peak RSS growth is
   set against the bound, claims x --max-frame (goal: ratio <= 1).
2. idle and drip: --callers client processes call `network` for --seconds
   with nobody else connected (the reference), then again while --idle
   sockets that send nothing are held open (reopened as the server closes
   them, the way an attacker would) and --drippers clients send one byte a
   second. Goal: p99 under attack < 50 ms, no failed call; the ratio of the
   two p99s.
3. soak: --soak-minutes of 8 callers (network, entity and ping in turn) with
   the hostile traffic of 2. running, a publish every minute (two runs in
   turn: two folders of one run, so ids stay valid) and a claim flood every
   minute; RSS sampled every window. Goals:
   zero failed calls, RSS flat after warm-up (last window vs the first
   after warm-up).

The idle sockets come from 127.0.0.2 upwards, 50 per address, so that the
per-peer cap (64) does not refuse them: what is measured is the server
holding them, not refusing them. Prints one JSON document.
"""
import argparse
import json
import multiprocessing
import os
import shutil
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import service as base  # noqa: E402  (bench/service.py: server, ids, clients)

GIB2 = (1 << 31) - 1


def frame(message):
    return struct.pack(">I", len(message)) + message


def call_header(name):
    return struct.pack(">I", 0x80010001) + struct.pack(">I", len(name)) + name + struct.pack(">I", 1)


# ---- the hostile side ----

def connect_from(port, source):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    return s


def closed_by_server(s):
    try:
        return s.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


class Hostile(threading.Thread):
    """Holds `idle` silent sockets and `drippers` one-byte-a-second frames,
    reopening whatever the server closes."""

    def __init__(self, port, idle, drippers):
        super().__init__(daemon=True)
        self.port, self.stop_flag = port, threading.Event()
        self.idle_sources = [f"127.0.{2 + i // 50 // 250}.{2 + (i // 50) % 250}" for i in range(idle)]
        self.drip_sources = [f"127.1.{i // 50}.{2 + (i // 50) % 250}" for i in range(drippers)]
        self.idle = [None] * idle
        self.drip = [None] * drippers
        self.reopened = 0

    def open_all(self):
        for i, src in enumerate(self.idle_sources):
            if self.idle[i] is None or closed_by_server(self.idle[i]):
                if self.idle[i] is not None:
                    self.idle[i].close()
                    self.reopened += 1
                self.idle[i] = connect_from(self.port, src)
        for i, src in enumerate(self.drip_sources):
            s = self.drip[i]
            if s is None or closed_by_server(s):
                if s is not None:
                    s.close()
                    self.reopened += 1
                s = self.drip[i] = connect_from(self.port, src)
                try:
                    s.send(struct.pack(">I", 4096))  # a 4 KiB frame, to come a byte at a time
                except OSError:
                    pass

    def run(self):
        while not self.stop_flag.is_set():
            try:
                self.open_all()
                for s in self.drip:
                    try:
                        s.send(b"x")
                    except OSError:
                        pass
            except OSError:
                pass
            self.stop_flag.wait(1.0)
        for s in self.idle + self.drip:
            if s is not None:
                s.close()

    def stop(self):
        self.stop_flag.set()
        self.join()


def claim_flood(port, claims, max_frame, token):
    """Each kind of claim on `claims` connections at once; returns how many
    connections the server closed without an answer, per kind."""
    tok = token.encode()
    kinds = {
        "frame_header_2GiB": struct.pack(">I", GIB2),
        "message_name_2GiB": frame(struct.pack(">I", 0x80010001) + struct.pack(">I", GIB2) + b"ping"),
        "token_2GiB": frame(call_header(b"ping") + bytes([11, 0, 1]) + struct.pack(">I", GIB2) + tok),
        "list_2Gi_items": frame(call_header(b"ping") + bytes([15, 0, 99, 11]) + struct.pack(">I", GIB2) + b"abc"),
    }
    refused = {}
    for kind, payload in kinds.items():
        socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(claims)]
        for s in socks:
            s.sendall(payload)
        n = 0
        for s in socks:
            s.settimeout(15)
            try:
                n += s.recv(1) == b""
            except OSError:
                n += 1
            s.close()
        refused[kind] = n
    # The largest frame the limit allows, all but its last byte: held by the
    # server while it waits for the rest.
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(claims)]
    body = b"\0" * (max_frame - 1)
    for s in socks:
        s.sendall(struct.pack(">I", max_frame) + body)
    time.sleep(1.0)
    for s in socks:
        s.close()
    return refused


# ---- callers ----

def callers(pool, port, token, protocol, method, ids, clients, seconds, neighbours=20):
    start_at = time.time() + 1.5
    end_at = start_at + seconds
    jobs = [(i, port, token, protocol, method, ids, neighbours, start_at, end_at) for i in range(clients)]
    results = pool.map(base.client_worker, jobs)
    lat = sorted(x for r in results for x in r["latencies"])
    errors = sum(sum(r["errors"].values()) for r in results)
    kinds = {}
    for r in results:
        for k, v in r["errors"].items():
            kinds[k] = kinds.get(k, 0) + v
    ms = 1e-6
    return {"calls": len(lat), "errors": errors, "error_kinds": kinds,
            "p50_ms": round(base.percentile(lat, 0.5) * ms, 3) if lat else None,
            "p99_ms": round(base.percentile(lat, 0.99) * ms, 3) if lat else None,
            "max_ms": round(lat[-1] * ms, 3) if lat else None}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=os.path.join(base.ROOT, "build/release/sourcetrace"))
    parser.add_argument("--python-dir", default=os.path.join(base.ROOT, "build/release/python"))
    parser.add_argument("--work", default="/tmp/sourcetrace-hostile-bench")
    parser.add_argument("--sellers", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--callers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--drippers", type=int, default=100)
    parser.add_argument("--claims", type=int, default=64)
    parser.add_argument("--max-frame", type=int, default=1 << 20)
    parser.add_argument("--soak-minutes", type=float, default=10.0)
    args = parser.parse_args()
    args.binary, args.work = os.path.abspath(args.binary), os.path.abspath(args.work)
    args.threads, args.job, args.serve_threads, args.max_in_flight = 0, None, 0, 0
    args.max_networks, args.max_entities, args.neighbours = 500, 500, 20
    base._python_dir = os.path.abspath(args.python_dir)
    sys.path.insert(0, base._python_dir)
    try:
        from thrift.protocol import fastbinary  # noqa: F401
        args.protocol = "accelerated"
    except ImportError:
        args.protocol = "binary"
    os.makedirs(args.work, exist_ok=True)

    tag, rundir, _ = base.prepare_run(args)
    runs_both = [rundir]
    if args.soak_minutes > 0:
        # A second folder of the same run to publish in turn: every publish
        # swaps the snapshot, and the callers' ids stay valid across it.
        other = rundir + "-copy"
        shutil.rmtree(other, ignore_errors=True)
        shutil.copytree(rundir, other)
        runs_both.append(other)
    runs = os.path.join(args.work, f"runs-{tag}")
    base.sourcetrace(args.binary, "publish", rundir, "--to", runs)
    tokens = os.path.join(args.work, f"tokens-{tag}")
    if os.path.exists(tokens):
        os.remove(tokens)
    token, _ = base.sourcetrace(args.binary, "token", "add", tokens, "--id", "bench", "--role", "investigator")
    audit = os.path.join(args.work, f"audit-{tag}.jsonl")
    for stale in (audit, audit + ".head"):  # a fresh log and its head
        if os.path.exists(stale):
            os.remove(stale)

    report = {"sellers": args.sellers, "cores": os.cpu_count()}
    server, err, t0 = base.start_server(args, runs, tokens, audit, tag)
    hostile = None
    try:
        port, _, _ = base.wait_listening(server, err, t0)
        _, networks, entities, _ = base.collect_ids(args, port, token)
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(max(8, args.callers)) as pool:
            # 1. claims
            before = base.proc_status(server.pid)["VmHWM"]
            refused = claim_flood(port, args.claims, args.max_frame, token)
            after = base.proc_status(server.pid)["VmHWM"]
            bound = args.claims * args.max_frame / (1 << 20)
            report["claims"] = {
                "connections": args.claims, "refused_without_answer": refused,
                "peak_rss_growth_mib": round(after - before, 1), "bound_mib": round(bound, 1),
                "ratio_to_bound": round((after - before) / bound, 3), "goal": "ratio <= 1"}
            base.log(f"claims: {report['claims']}")

            # 2. idle and drip, beside the reference
            reference = callers(pool, port, token, args.protocol, "network", networks, args.callers, args.seconds)
            hostile = Hostile(port, args.idle, args.drippers)
            hostile.open_all()
            hostile.start()
            time.sleep(2.0)
            attacked = callers(pool, port, token, args.protocol, "network", networks, args.callers, args.seconds)
            report["idle_and_drip"] = {
                "idle_sockets": args.idle, "drippers": args.drippers, "reference": reference,
                "attacked": attacked, "sockets_reopened_after_server_closed_them": hostile.reopened,
                "p99_ratio_attacked_to_reference": round(attacked["p99_ms"] / reference["p99_ms"], 2)
                if reference["p99_ms"] and attacked["p99_ms"] else None,
                "goal": "attacked p99 < 50 ms, 0 errors"}
            base.log(f"idle and drip: reference p99 {reference['p99_ms']} ms, attacked p99 {attacked['p99_ms']} ms, "
                     f"errors {attacked['errors']}")

            # 3. soak
            if args.soak_minutes > 0:
                windows, end = [], time.time() + args.soak_minutes * 60
                next_publish, which = time.time() + 60, 1
                methods = [("network", networks), ("entity", entities), ("ping", None)]
                w = 0
                while time.time() < end:
                    method, ids = methods[w % 3]
                    r = callers(pool, port, token, args.protocol, method, ids, 8, 20)
                    r["method"], r["rss_mib"] = method, base.proc_status(server.pid)["VmRSS"]
                    if time.time() >= next_publish:
                        base.sourcetrace(args.binary, "publish", runs_both[which], "--to", runs)
                        claim_flood(port, args.claims, args.max_frame, token)
                        r["published"] = os.path.basename(runs_both[which])
                        which, next_publish = 1 - which, next_publish + 60
                    windows.append(r)
                    w += 1
                    base.log(f"soak window {w}: {method} p99 {r['p99_ms']} ms, errors {r['errors']}, "
                             f"RSS {r['rss_mib']} MiB")
                warm = windows[min(3, len(windows) - 1)]["rss_mib"]
                report["soak"] = {
                    "minutes": args.soak_minutes, "windows": windows,
                    "calls": sum(x["calls"] for x in windows), "errors": sum(x["errors"] for x in windows),
                    "publishes": sum(1 for x in windows if "published" in x),
                    "rss_after_warmup_mib": warm, "rss_end_mib": windows[-1]["rss_mib"],
                    "rss_max_mib": max(x["rss_mib"] for x in windows),
                    "rss_end_to_warmup_ratio": round(windows[-1]["rss_mib"] / warm, 3),
                    "goal": "0 errors, RSS flat after warm-up"}
    finally:
        if hostile is not None and hostile.is_alive():
            hostile.stop()
        report["server_exit"] = base.stop_server(server)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
