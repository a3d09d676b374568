#!/usr/bin/python3
"""Example: the investigator service from Python (Debian's python3-thrift).

usage: SOURCETRACE_TOKEN=... docs/examples/investigator_client.py [--host 127.0.0.1] --port P
                                                                 [--python-dir build/release/python]

The client code is generated from include/sourcetrace/service/investigator.thrift
by the build, into <build>/python/sourcetrace_service (never committed).
Prints the five most suspect networks, then the first one's members and targets.
"""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def connect(host, port):
    from thrift.protocol import TBinaryProtocol
    from thrift.transport import TSocket, TTransport
    from sourcetrace_service import Investigator

    transport = TTransport.TFramedTransport(TSocket.TSocket(host, port))
    client = Investigator.Client(TBinaryProtocol.TBinaryProtocol(transport))
    transport.open()
    return client, transport


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--python-dir", default=os.path.join(ROOT, "build/release/python"))
    args = parser.parse_args()
    sys.path.insert(0, args.python_dir)
    from sourcetrace_service import ttypes

    token = os.environ.get("SOURCETRACE_TOKEN")
    if not token:
        sys.exit("set SOURCETRACE_TOKEN (never pass a token on the command line)")
    client, transport = connect(args.host, args.port)
    try:
        info = client.run_info(token)
        print(f"run {info.run}: {info.networks} networks, {info.entities} entities ({info.engine})")
        page = client.list_networks(token, ttypes.NetworkFilter(min_risk=0.2), 0, 5)
        for n in page.networks:
            print(f"{n.network}  risk {n.risk:.3f}  {n.members} members  {';'.join(n.brands)}  {n.reason}")
        if page.networks:
            detail = client.network(token, page.networks[0].network)
            for m in detail.members[:10]:
                print(f"  {m.entity.kind}:{m.entity.id}  {m.role_hint}  {m.risk:.3f}")
            for t in detail.targets[:5]:
                print(f"  target #{t.rank} {t.entity.kind}:{t.entity.id} impact {t.impact:.2f}: {t.reason}")
    except ttypes.Forbidden as e:
        sys.exit(f"forbidden: {e.message}")
    finally:
        transport.close()


if __name__ == "__main__":
    main()
