#!/usr/bin/python3
"""The service from Python: the client generated from the same IDL, Debian's
python3-thrift, a real `sourcetrace serve` on 127.0.0.1. Every call and every
typed exception; the brand scope; the example script runs.

usage: python_client.py SOURCETRACE_BINARY BUILD_PYTHON_DIR WORK_DIR
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

binary, python_dir, work = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, python_dir)
from thrift.protocol import TBinaryProtocol  # noqa: E402
from thrift.transport import TSocket, TTransport  # noqa: E402
from sourcetrace_service import Investigator, ttypes  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(*args):
    p = subprocess.run([binary, *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"FAILED {' '.join(args)}: {p.stderr}")
    return p.stdout.strip()


def expect(exception, call, *args):
    try:
        call(*args)
    except exception as e:
        return e
    sys.exit(f"FAILED: {call.__name__}{args} did not raise {exception.__name__}")


shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
market, rundir, runs, tokens = (os.path.join(work, n) for n in ("market", "run", "runs", "tokens"))
run("generate", market, "--sellers", "2000", "--seed", "4")
run("run", market, "--out", rundir + "-0", "--job", os.path.join(ROOT, "jobs/default.toml"))
# The served run continues the first one's chain (the same market: a quiet night).
run("run", market, "--out", rundir, "--job", os.path.join(ROOT, "jobs/default.toml"), "--previous", rundir + "-0")
run("publish", rundir, "--to", runs)
token = run("token", "add", tokens, "--id", "py", "--role", "investigator")
brand_token = run("token", "add", tokens, "--id", "brand", "--role", "brand", "--brand", "B001")

err = open(os.path.join(work, "serve.err"), "w+")
server = subprocess.Popen([binary, "serve", runs, "--port", "0", "--tokens", tokens], stderr=err)
try:
    port = None
    for _ in range(600):
        err.seek(0)
        m = re.search(r"listening on 127\.0\.0\.1:(\d+),", err.read())
        if m:
            port = int(m.group(1))
            break
        time.sleep(0.05)
    assert port, "the server did not start"
    transport = TTransport.TFramedTransport(TSocket.TSocket("127.0.0.1", port))
    c = Investigator.Client(TBinaryProtocol.TBinaryProtocol(transport))
    transport.open()

    c.ping(token)
    info = c.run_info(token)
    assert info.run == "run" and info.networks > 0, info
    page = c.list_networks(token, ttypes.NetworkFilter(min_risk=0.2), 0, 10)
    assert page.networks and page.total >= len(page.networks)
    assert all(a.risk >= b.risk for a, b in zip(page.networks, page.networks[1:]))
    detail = c.network(token, page.networks[0].network)
    assert len(detail.members) >= 2 and detail.targets
    entity = c.entity(token, detail.members[0].entity, 0, 5)
    assert entity.network == detail.summary.network
    result = c.paths(token, detail.members[0].entity, detail.members[1].entity, 6, 2)
    assert result.paths and result.paths[0].steps[0].tail == detail.members[0].entity
    targets = c.targets(token, 0, 5)
    assert targets.targets
    assert c.target(token, targets.targets[0].rank).entity == targets.targets[0].entity
    changes = c.changes(token, 0, 1000)
    assert changes.previous_run == "run-0" and changes.total == len(changes.changes) > 0, changes
    assert all(ch.change == "unchanged" for ch in changes.changes)
    assert detail.summary.first_seen and detail.changes and detail.changes[0].change == "unchanged"
    alerts = c.alerts(token, 0, 10)
    assert alerts.total == 0 and not alerts.alerts  # a quiet night
    expect(ttypes.BadRequest, c.alerts, token, -1, 10)
    expect(ttypes.BadRequest, c.changes, token, 0, 10 ** 6)

    expect(ttypes.Forbidden, c.ping, "wrong")
    expect(ttypes.NotFound, c.network, token, "N0123456789abcdef")
    expect(ttypes.NotFound, c.network, token, "N00000")  # the old positional form is no id
    assert re.fullmatch(r"N[0-9a-f]{16}", detail.summary.network), detail.summary.network
    expect(ttypes.NotFound, c.entity, token, ttypes.EntityRef("seller", "S999999"), 0, 5)
    bad = expect(ttypes.BadRequest, c.targets, token, 0, 10 ** 6)
    assert bad.parameter == "limit" and bad.limit == 1000, bad
    expect(ttypes.BadRequest, c.paths, token, detail.members[0].entity, detail.members[1].entity, 99, 2)
    expect(ttypes.NotFound, c.target, token, 0)

    mine = c.list_networks(brand_token, ttypes.NetworkFilter(), 0, 1000)
    assert all("B001" in n.brands for n in mine.networks)
    everything = c.list_networks(token, ttypes.NetworkFilter(), 0, 1000)
    hidden = [n for n in everything.networks if "B001" not in n.brands]
    assert hidden
    expect(ttypes.NotFound, c.network, brand_token, hidden[0].network)
    # The brand's totals, ids and ranks count only what it sees.
    assert c.run_info(brand_token).networks == mine.total < everything.total
    ids = {n.network: n for n in everything.networks}
    assert all(ids[n.network] == n for n in mine.networks)
    brand_targets = c.targets(brand_token, 0, 1000)
    assert [t.rank for t in brand_targets.targets] == list(range(1, brand_targets.total + 1))
    expect(ttypes.NotFound, c.target, brand_token, brand_targets.total + 1)
    brand_changes = c.changes(brand_token, 0, 1000)
    assert {ch.network for ch in brand_changes.changes} <= {n.network for n in mine.networks}

    # Writes: reports answered row by row, a verdict on a network served.
    receipts = c.submit_reports(brand_token, [
        ttypes.Report("py-1", ttypes.EntityRef("seller", "S000001"), "test_buy_counterfeit", "B001", "2024-01-02"),
        ttypes.Report("py-2", ttypes.EntityRef("seller", "S000002"), "test_buy_counterfeit", "B002", "2024-01-02")])
    assert receipts[0].accepted and receipts[0].sequence == 1, receipts
    assert not receipts[1].accepted and "B002" in receipts[1].reason, receipts
    assert c.submit_reports(brand_token, [ttypes.Report(
        "py-1", ttypes.EntityRef("seller", "S000001"), "test_buy_counterfeit", "B001", "2024-01-02")])[0].resent
    bad = expect(ttypes.BadRequest, c.submit_reports, token,
                 [ttypes.Report("x", ttypes.EntityRef("seller", "S1"), "complaint", "", "2024-01-02")] * 1001)
    assert bad.parameter == "reports" and bad.limit == 1000, bad
    verdict = c.record_verdict(token, detail.summary.network, "confirmed", "raided")
    assert verdict.sequence == 2 and verdict.run == "run" and verdict.members > 0, verdict
    expect(ttypes.Forbidden, c.record_verdict, brand_token, detail.summary.network, "cleared", "")
    expect(ttypes.NotFound, c.record_verdict, token, "N0123456789abcdef", "cleared", "")
    transport.close()

    example = subprocess.run([sys.executable, os.path.join(ROOT, "docs/examples/investigator_client.py"),
                              "--port", str(port), "--python-dir", python_dir],
                             env=dict(os.environ, SOURCETRACE_TOKEN=token), capture_output=True, text=True)
    assert example.returncode == 0 and "risk" in example.stdout, example.stderr
    print("python client: every call and exception checked")
finally:
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=30) == 0
