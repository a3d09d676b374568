#!/usr/bin/python3
"""Load benchmark of the investigator query service (not a test).

usage: bench/service.py [--binary build/release/sourcetrace] [--work /tmp/sourcetrace-service-bench]
                        [--sellers 1000000] [--seed 1] [--clients 8] [--seconds 10] [--threads 0]
                        [--neighbours 50] [--max-networks 2000] [--max-entities 2000]
                        [--protocol accelerated|binary] [--python-dir build/release/python]

Generates a market (`sourcetrace generate --gzip`, cached in WORK), runs the
batch job on it (`sourcetrace run`; stages already current are skipped),
publishes the run, adds an investigator token, starts `sourcetrace serve`
on 127.0.0.1 and collects the ids to query through the API: every network
listed at min_risk 0.2 and a few members of each. Then, against that one
server, three phases of --seconds each, one after the other:

- ping: the empty call (what a round trip costs);
- network: `network(id)` on the network ids, round-robin;
- entity: `entity(ref, 0, --neighbours)` on the member ids, round-robin.

Each phase runs --clients client processes (multiprocessing: the GIL makes
threads useless), one connection each, calling as fast as they can. Prints
one JSON document: per phase QPS, p50/p99/mean latency (ms), errors, and the
CPU the clients and the server used; the ratios network/ping and
entity/ping QPS (the goal is network/ping >= 0.7); the server's RSS after
loading, right after the load, and its peak (VmHWM) and current (VmRSS) at
the end; the load time; the machine's cores and load average.

The clients are Python (python3-thrift, the generated `sourcetrace_service`
package; framed transport, binary protocol, by default through thrift's C
accelerator `fastbinary`). On a small machine the clients share the cores
with the server, and a Python client can be the bottleneck: see
`limits` in the output (client vs server CPU per phase).

The server is always stopped (SIGTERM) at the end, on errors too.
"""
import argparse
import json
import multiprocessing
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def sourcetrace(binary, *args, capture=True):
    t0 = time.monotonic()
    p = subprocess.run([binary, *args], stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{binary} {' '.join(args)} exited {p.returncode}: {p.stderr[-4000:]}")
    return (p.stdout or "").strip(), time.monotonic() - t0


# ---- the server process ----

def proc_status(pid):
    """VmHWM and VmRSS of a process, in MiB."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def proc_cpu_seconds(pid):
    """User + system CPU seconds of a process (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


# ---- the clients ----

_python_dir = None


def connect(port, protocol):
    from thrift.protocol import TBinaryProtocol
    from thrift.transport import TSocket, TTransport
    from sourcetrace_service import Investigator

    socket = TSocket.TSocket("127.0.0.1", port)
    socket.setTimeout(30000)
    transport = TTransport.TFramedTransport(socket)
    if protocol == "accelerated":
        proto = TBinaryProtocol.TBinaryProtocolAccelerated(transport)
    else:
        proto = TBinaryProtocol.TBinaryProtocol(transport)
    client = Investigator.Client(proto)
    transport.open()
    return client, transport


def make_call(client, token, method, neighbours):
    from sourcetrace_service import ttypes

    if method == "ping":
        return lambda _id: client.ping(token)
    if method == "network":
        return lambda network_id: client.network(token, network_id)
    if method == "entity":
        refs = {}

        def call(ref):
            r = refs.get(ref)
            if r is None:
                kind, _, ident = ref.partition(":")
                r = refs[ref] = ttypes.EntityRef(kind, ident)
            return client.entity(token, r, 0, neighbours)
        return call
    raise ValueError(method)


def client_worker(job):
    """One client process: one connection, calls `method` on ids round-robin
    from `start_at` until `end_at` (time.time()); returns latencies in ns."""
    index, port, token, protocol, method, ids, neighbours, start_at, end_at = job
    if _python_dir:
        sys.path.insert(0, _python_dir)
    from thrift.Thrift import TException
    from thrift.transport.TTransport import TTransportException

    latencies, errors = [], {}
    client, transport = connect(port, protocol)
    call = make_call(client, token, method, neighbours)
    ids = ids or [None]
    n = len(ids)
    i = (index * 7919) % n  # each client starts at its own place in the list
    call(ids[i])  # warm the connection (and the server's thread for it)
    while time.time() < start_at:
        time.sleep(0.001)
    cpu0 = time.process_time()
    perf = time.perf_counter_ns
    while True:
        t0 = perf()
        try:
            call(ids[i])
            latencies.append(perf() - t0)
        except TTransportException as e:
            errors[f"transport: {e}"] = errors.get(f"transport: {e}", 0) + 1
            try:
                transport.close()
                client, transport = connect(port, protocol)
                call = make_call(client, token, method, neighbours)
            except Exception:
                time.sleep(0.01)
        except TException as e:
            name = type(e).__name__
            errors[name] = errors.get(name, 0) + 1
        i += 1
        if i == n:
            i = 0
        if time.time() >= end_at:
            break
    wall_end = time.time()
    cpu = time.process_time() - cpu0
    transport.close()
    return {"latencies": latencies, "errors": errors, "cpu_s": cpu, "wall_end": wall_end}


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[k]


def run_phase(pool, args, port, token, server_pid, method, ids):
    start_at = time.time() + 1.5  # every client connected and warm before the clock starts
    end_at = start_at + args.seconds
    jobs = [(i, port, token, args.protocol, method, ids, args.neighbours, start_at, end_at)
            for i in range(args.clients)]
    async_result = pool.map_async(client_worker, jobs)
    while time.time() < start_at:
        time.sleep(0.001)
    server_cpu0, t0 = proc_cpu_seconds(server_pid), time.time()
    load0 = os.getloadavg()
    results = async_result.get(timeout=args.seconds + 120)
    # the server's CPU over the measured window (the clients return right after end_at)
    server_cpu = proc_cpu_seconds(server_pid) - server_cpu0
    wall = max(r["wall_end"] for r in results) - start_at
    lat = sorted(x for r in results for x in r["latencies"])
    errors = {}
    for r in results:
        for k, v in r["errors"].items():
            errors[k] = errors.get(k, 0) + v
    calls = len(lat)
    client_cpu = sum(r["cpu_s"] for r in results)
    ms = 1e-6
    out = {
        "calls": calls,
        "ids": len(ids) if ids else 0,
        "seconds": round(wall, 3),
        "qps": round(calls / wall, 1),
        "p50_ms": round(percentile(lat, 0.50) * ms, 3) if lat else None,
        "p99_ms": round(percentile(lat, 0.99) * ms, 3) if lat else None,
        "mean_ms": round(statistics.fmean(lat) * ms, 3) if lat else None,
        "max_ms": round(lat[-1] * ms, 3) if lat else None,
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "per_client_qps": [round(len(r["latencies"]) / wall, 1) for r in results],
        # average cores busy over the phase
        "client_cpu_cores": round(client_cpu / wall, 2),
        "server_cpu_cores": round(server_cpu / wall, 2),
        "client_cpu_us_per_call": round(client_cpu / calls * 1e6, 1) if calls else None,
        "server_cpu_us_per_call": round(server_cpu / calls * 1e6, 1) if calls else None,
        "loadavg_1m_at_start": round(load0[0], 2),
    }
    return out


# ---- set-up ----

def prepare_run(args):
    """Generate (cached) and run (current stages skipped); returns the run folder and timings."""
    tag = f"{args.sellers}-seed{args.seed}"
    market = os.path.join(args.work, f"market-{tag}")
    rundir = os.path.join(args.work, f"run-{tag}")
    timings = {}
    done = market + ".done"
    threads = ["--threads", str(args.threads)]
    if not os.path.exists(done):
        shutil.rmtree(market, ignore_errors=True)
        log(f"generate {args.sellers} sellers (seed {args.seed}) into {market}")
        _, timings["generate_s"] = sourcetrace(args.binary, "generate", market, "--sellers", str(args.sellers),
                                               "--seed", str(args.seed), "--gzip", *threads)
        open(done, "w").close()
    else:
        log(f"market cached: {market}")
    log(f"run into {rundir}")
    job = args.job or os.path.join(ROOT, "jobs/default.toml")
    _, timings["run_s"] = sourcetrace(args.binary, "run", market, "--out", rundir, "--job", job, *threads)
    return tag, rundir, timings


def start_server(args, runs, tokens, audit, tag):
    err_path = os.path.join(args.work, f"serve-{tag}.err")
    err = open(err_path, "w+")
    cmd = [args.binary, "serve", runs, "--port", "0", "--tokens", tokens, "--audit", audit]
    if args.serve_threads:
        cmd += ["--threads", str(args.serve_threads)]
    if args.max_in_flight:
        cmd += ["--max-in-flight", str(args.max_in_flight)]
    t0 = time.monotonic()
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    return server, err, t0


def wait_listening(server, err, t0, timeout=600):
    while time.monotonic() - t0 < timeout:
        err.seek(0)
        text = err.read()
        m = re.search(r"listening on 127\.0\.0\.1:(\d+),", text)
        if m:
            return int(m.group(1)), time.monotonic() - t0, text.strip().splitlines()
        if server.poll() is not None:
            raise RuntimeError(f"the server exited {server.returncode}: {text[-4000:]}")
        time.sleep(0.02)
    raise RuntimeError("the server did not start listening in time")


def collect_ids(args, port, token):
    from sourcetrace_service import ttypes

    client, transport = connect(port, args.protocol)
    try:
        info = client.run_info(token)
        networks, offset, total = [], 0, None
        while len(networks) < args.max_networks:
            page = client.list_networks(token, ttypes.NetworkFilter(min_risk=0.2), offset,
                                        min(1000, args.max_networks - len(networks)))
            total = page.total
            if not page.networks:
                break
            networks += [n.network for n in page.networks]
            offset += len(page.networks)
            if offset >= page.total:
                break
        entities, members = [], []
        per_network = max(1, args.max_entities // max(1, len(networks)))
        for nid in networks:
            detail = client.network(token, nid)
            members.append(len(detail.members))
            if len(entities) < args.max_entities:
                for m in detail.members[:per_network]:
                    entities.append(f"{m.entity.kind}:{m.entity.id}")
        entities = entities[:args.max_entities]
        neighbours = []
        for ref in entities[:200]:
            kind, _, ident = ref.partition(":")
            e = client.entity(token, ttypes.EntityRef(kind, ident), 0, args.neighbours)
            neighbours.append(len(e.neighbours))
        return info, networks, entities, {
            "networks_listed_min_risk_0_2": total,
            "networks_queried": len(networks),
            "network_members_mean": round(statistics.fmean(members), 1) if members else None,
            "network_members_max": max(members) if members else None,
            "entities_queried": len(entities),
            "entity_neighbours_per_call_mean_of_200": round(statistics.fmean(neighbours), 1) if neighbours else None,
        }
    finally:
        transport.close()


def stop_server(server):
    if server is None or server.poll() is not None:
        return server.returncode if server else None
    server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        return server.wait()


def thrift_version():
    try:
        from importlib.metadata import version
        return version("thrift")
    except Exception:
        try:
            out = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "python3-thrift"],
                                 capture_output=True, text=True)
            return "python3-thrift " + out.stdout.strip() if out.returncode == 0 else None
        except OSError:
            return None


def main():
    global _python_dir
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, "build/release/sourcetrace"))
    parser.add_argument("--python-dir", default=os.path.join(ROOT, "build/release/python"))
    parser.add_argument("--work", default="/tmp/sourcetrace-service-bench")
    parser.add_argument("--sellers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--job", help="job file (default jobs/default.toml)")
    parser.add_argument("--clients", type=int, default=8, help="client processes, one connection each")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per phase")
    parser.add_argument("--threads", type=int, default=0, help="threads for generate and run (0: all cores)")
    parser.add_argument("--serve-threads", type=int, default=0, help="serve --threads (0: its default)")
    parser.add_argument("--max-in-flight", type=int, default=0, help="serve --max-in-flight (0: its default)")
    parser.add_argument("--neighbours", type=int, default=50, help="neighbours_limit of the entity calls")
    parser.add_argument("--max-networks", type=int, default=2000, help="network ids to query, at most")
    parser.add_argument("--max-entities", type=int, default=2000, help="entity ids to query, at most")
    parser.add_argument("--protocol", choices=("accelerated", "binary"), default=None,
                        help="client protocol class (same wire format); default accelerated when "
                             "thrift.protocol.fastbinary is available")
    parser.add_argument("--phases", default="ping,network,entity")
    args = parser.parse_args()

    args.binary = os.path.abspath(args.binary)
    args.work = os.path.abspath(args.work)
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"{args.binary}: missing (cmake --build --preset release)")
    _python_dir = os.path.abspath(args.python_dir)
    sys.path.insert(0, _python_dir)
    try:
        import sourcetrace_service  # noqa: F401
    except ImportError as e:
        sys.exit(f"cannot import sourcetrace_service from {_python_dir}: {e}")
    if args.protocol is None:
        try:
            from thrift.protocol import fastbinary  # noqa: F401
            args.protocol = "accelerated"
        except ImportError:
            args.protocol = "binary"
    phases = [p for p in args.phases.split(",") if p]
    os.makedirs(args.work, exist_ok=True)

    started = time.time()
    load_start = os.getloadavg()
    tag, rundir, timings = prepare_run(args)
    runs = os.path.join(args.work, f"runs-{tag}")
    sourcetrace(args.binary, "publish", rundir, "--to", runs)
    tokens = os.path.join(args.work, f"tokens-{tag}")
    if os.path.exists(tokens):
        os.remove(tokens)
    token, _ = sourcetrace(args.binary, "token", "add", tokens, "--id", "bench", "--role", "investigator")
    audit = os.path.join(args.work, f"audit-{tag}.jsonl")
    for stale in (audit, audit + ".head"):  # a fresh log and its head
        if os.path.exists(stale):
            os.remove(stale)

    server = err = None
    report = {}
    try:
        log("start the server")
        server, err, t0 = start_server(args, runs, tokens, audit, tag)
        port, load_s, serve_lines = wait_listening(server, err, t0)
        rss_loaded = proc_status(server.pid)
        log(f"listening on {port} after {load_s:.2f} s; RSS {rss_loaded}")
        info, networks, entities, id_stats = collect_ids(args, port, token)
        log(f"{len(networks)} networks, {len(entities)} entities to query")
        if not networks or not entities:
            raise RuntimeError("no network or entity to query")
        ids = {"ping": None, "network": networks, "entity": entities}

        ctx = multiprocessing.get_context("fork")
        results = {}
        with ctx.Pool(args.clients) as pool:
            for phase in phases:
                log(f"phase {phase}: {args.clients} clients, {args.seconds} s")
                results[phase] = run_phase(pool, args, port, token, server.pid, phase, ids[phase])
                log(f"  {results[phase]['qps']} calls/s, p50 {results[phase]['p50_ms']} ms, "
                    f"p99 {results[phase]['p99_ms']} ms, errors {results[phase]['errors']}")
        rss_end = proc_status(server.pid)
        with open(audit) as f:
            audit_lines = sum(1 for _ in f)

        ping_qps = results.get("ping", {}).get("qps")
        ratios = {}
        for phase in ("network", "entity"):
            if ping_qps and phase in results:
                ratios[f"{phase}_over_ping_qps"] = round(results[phase]["qps"] / ping_qps, 3)
        if "network_over_ping_qps" in ratios:
            ratios["network_goal"] = 0.7
            ratios["network_goal_met"] = ratios["network_over_ping_qps"] >= 0.7

        cores = os.cpu_count()
        limits = {}
        for phase, r in results.items():
            busy = r["client_cpu_cores"] + r["server_cpu_cores"]
            per_call = r["server_cpu_us_per_call"]
            limits[phase] = {
                "client_cpu_cores": r["client_cpu_cores"],
                "server_cpu_cores": r["server_cpu_cores"],
                "cpu_cores_busy_of_available": f"{busy:.2f}/{cores}",
                "machine_saturated": busy >= 0.85 * cores,
                "larger_cpu_share": "client" if r["client_cpu_cores"] > r["server_cpu_cores"] else "server",
                # what one core of server CPU would answer, were the clients elsewhere
                # (server CPU per call as measured here, kernel TCP work included)
                "server_only_qps_per_core": round(1e6 / per_call) if per_call else None,
            }
        for phase in ("network", "entity"):
            if "ping" in limits and phase in limits and limits["ping"]["server_only_qps_per_core"]:
                ratios[f"{phase}_over_ping_server_cpu_per_call"] = round(
                    limits[phase]["server_only_qps_per_core"] / limits["ping"]["server_only_qps_per_core"], 3)

        report = {
            "benchmark": "sourcetrace serve: investigator calls under load",
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "market": {"sellers": args.sellers, "seed": args.seed, "run": rundir,
                       "networks": info.networks, "entities": info.entities, **timings},
            "server": {
                "binary": args.binary,
                "engine": info.engine,
                "engine_build": info.engine_build,
                "startup_line": next((l for l in serve_lines if "listening" in l), None),
                "load_s": round(load_s, 3),
                "rss_after_load_mib": rss_loaded.get("VmRSS"),
                "peak_rss_mib": rss_end.get("VmHWM"),
                "rss_after_load_phases_mib": rss_end.get("VmRSS"),
                "audit_lines": audit_lines,
                "serve_threads": args.serve_threads or "default",
                "max_in_flight": args.max_in_flight or "default",
            },
            "client": {
                "language": "python",
                "python": platform.python_version(),
                "thrift": thrift_version(),
                "transport": "TFramedTransport(TSocket 127.0.0.1)",
                "protocol": ("TBinaryProtocolAccelerated (C fastbinary)" if args.protocol == "accelerated"
                             else "TBinaryProtocol (pure Python)"),
                "processes": args.clients,
                "connections": args.clients,
                "note": "clients run on the same machine as the server and share its cores; "
                        "see limits: a Python client may be the bottleneck",
            },
            "load": {"clients": args.clients, "seconds_per_phase": args.seconds,
                     "entity_neighbours_limit": args.neighbours, **id_stats},
            "phases": results,
            "ratios": ratios,
            "limits": limits,
            "machine": {
                "cores": cores,
                "affinity_cores": len(os.sched_getaffinity(0)),
                "cpu": platform.processor() or platform.machine(),
                "loadavg_at_start": [round(x, 2) for x in load_start],
                "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
            },
            "total_s": round(time.time() - started, 1),
        }
    finally:
        rc = stop_server(server)
        if err:
            err.close()
        if report:
            report["server"]["exit_code_after_sigterm"] = rc
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
