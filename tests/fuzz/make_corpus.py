#!/usr/bin/python3
"""Writes the fuzz harnesses' seed corpora, tests/fuzz/corpus/<harness>/,
from the test fixtures, the bundled datasets and the job files, and the
Thrift harness's request frames with the Python client generated from the
IDL. Rerun it when the fixtures or the IDL change; commit what it writes.
Each seed is small (the fuzzer mutates short inputs fastest).

usage: make_corpus.py SOURCETRACE_BINARY BUILD_PYTHON_DIR

(Debian's python3-thrift, hence /usr/bin/python3; the binary and the
Python package of one build, e.g. build/fuzz/sourcetrace and build/fuzz/python.)
"""
import csv
import glob
import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

binary, python_dir = sys.argv[1], sys.argv[2]
sys.path.insert(0, python_dir)
from thrift.protocol import TBinaryProtocol  # noqa: E402
from thrift.transport import TTransport  # noqa: E402
from sourcetrace_service import Investigator, ttypes  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
# The order of tables::Table; table_reader_fuzz's first byte picks one.
TABLES = ["entities", "seller_links", "stock", "payments", "shipments", "evidence"]
GZIP_IN_HARNESS, LENIENT = 8, 16
MAX_LINES = 40


def gz(data):
    return gzip.compress(data, mtime=0)


def head(path, lines=MAX_LINES):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return b"".join(line for _, line in zip(range(lines), f))


def write(harness, name, data):
    folder = os.path.join(CORPUS, harness)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def table_reader():
    """Every fixture table, as written and through the harness's gzip."""
    for path in sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/*/*/*.csv*")) +
                       glob.glob(os.path.join(ROOT, "tests/fixtures/base/*.csv")) +
                       glob.glob(os.path.join(ROOT, "datasets/sample-market/*.csv"))):
        table = os.path.basename(path).split(".")[0]
        if table not in TABLES:
            continue  # truth.csv is no table of the contract
        with open(path, "rb") as f:
            data = f.read()
        if len(data) > 4096:
            data = head(path)
        # The fixture's own bytes (a .gz stays raw gzip: the reader's gzip
        # error paths), strict; and, plain ones, gzipped by the harness, lenient.
        where = os.path.relpath(path, ROOT).replace("/", "_")
        selector = TABLES.index(table)
        write("table_reader_fuzz", where, bytes([selector]) + data)
        if not path.endswith(".gz"):
            write("table_reader_fuzz", where + ".gz-lenient", bytes([selector | GZIP_IN_HARNESS | LENIENT]) + data)


def edge_list():
    """The reference graphs (their first lines), plain and gzip, and the
    format's corners: comments, KONECT's fourth field, CRLF, weights."""
    for path in sorted(glob.glob(os.path.join(ROOT, "datasets/*/edges*.txt*"))):
        data = head(path)
        name = os.path.relpath(path, ROOT).replace("/", "_")
        write("edge_list_fuzz", name.removesuffix(".gz"), data)
        write("edge_list_fuzz", name.removesuffix(".gz") + ".gz", gz(data))
    write("edge_list_fuzz", "konect", b"% sym unweighted\n% 3 3 3\n1 2 1 1230000000\n2 3 1 1230000001\n")
    write("edge_list_fuzz", "crlf_weighted", b"# weighted\r\na\tb\t0.5\r\nb c 2e3\r\nc a 0\r\n")
    write("edge_list_fuzz", "mixed_weights", b"1 2\n2 3 4.5\n\n#\n3 1 nan\n")


def job_file():
    """The job files and a drawn market profile (what `generate --vary` writes)."""
    for path in sorted(glob.glob(os.path.join(ROOT, "jobs/*.toml"))):
        with open(path, "rb") as f:
            write("job_file_fuzz", os.path.basename(path), f.read())
    with tempfile.TemporaryDirectory() as work:
        market = os.path.join(work, "m")
        subprocess.run([binary, "generate", market, "--sellers", "50", "--vary", "--seed", "7"],
                       check=True, capture_output=True)
        with open(os.path.join(market, "profile.toml"), "rb") as f:
            write("job_file_fuzz", "profile.toml", f.read())
    write("job_file_fuzz", "ranges.toml", b"[rings]\nstorefronts = [4, 12]\n[legit]\nshare = 0.5\n")
    write("job_file_fuzz", "weights_from.toml", b"[risk]\nweights_from = \"risk.h5\"\ntakedown = 2.0\n")


def thrift_frames():
    """Every call, as the generated client sends it (the frame's body), with
    the harness's two tokens, on the run it serves: the same market, the same
    job, so the same network and entity ids."""
    investigator, brand = "st_" + "1" * 64, "st_" + "2" * 64
    with tempfile.TemporaryDirectory() as work:
        market, run = os.path.join(work, "market"), os.path.join(work, "run")
        subprocess.run([binary, "generate", market, "--sellers", "400", "--seed", "2"], check=True, capture_output=True)
        subprocess.run([binary, "run", market, "--out", run], check=True, capture_output=True)
        with open(os.path.join(run, "networks.csv"), newline="") as f:
            networks = list(csv.DictReader(f))
        with open(os.path.join(run, "members.csv"), newline="") as f:
            members = list(csv.DictReader(f))
    network = networks[0]["network"]
    inside = [m for m in members if m["network"] == network]
    a = ttypes.EntityRef(kind=inside[0]["kind"], id=inside[0]["id"])
    b = ttypes.EntityRef(kind=inside[-1]["kind"], id=inside[-1]["id"])
    calls = {
        "ping": lambda c, t: c.send_ping(t),
        "run_info": lambda c, t: c.send_run_info(t),
        "list_networks": lambda c, t: c.send_list_networks(t, ttypes.NetworkFilter(), 0, 10),
        "list_networks_filtered": lambda c, t: c.send_list_networks(
            t, ttypes.NetworkFilter(min_risk=0.3, brand="B001", min_members=2, max_members=50), 1, 5),
        "network": lambda c, t: c.send_network(t, network),
        "network_unknown": lambda c, t: c.send_network(t, "N0000000000000000"),
        "entity": lambda c, t: c.send_entity(t, a, 0, 20),
        "entity_bad_kind": lambda c, t: c.send_entity(t, ttypes.EntityRef(kind="planet", id="x"), 0, 20),
        "paths": lambda c, t: c.send_paths(t, a, b, 4, 4),
        "targets": lambda c, t: c.send_targets(t, 0, 10),
        "target": lambda c, t: c.send_target(t, 1),
    }
    for name, send in calls.items():
        for who, token in (("investigator", investigator), ("brand", brand), ("bad_token", "st_nobody")):
            buffer = TTransport.TMemoryBuffer()
            send(Investigator.Client(TBinaryProtocol.TBinaryProtocol(buffer)), token)
            write("thrift_frame_fuzz", f"{name}-{who}", buffer.getvalue())


def main():
    for harness in ("table_reader_fuzz", "edge_list_fuzz", "job_file_fuzz", "thrift_frame_fuzz"):
        shutil.rmtree(os.path.join(CORPUS, harness), ignore_errors=True)
    table_reader()
    edge_list()
    job_file()
    thrift_frames()
    total = sum(os.path.getsize(p) for p in glob.glob(os.path.join(CORPUS, "*", "*")))
    print(f"make_corpus: {total} bytes in {CORPUS}")


if __name__ == "__main__":
    main()
