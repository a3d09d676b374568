#!/usr/bin/python3
"""A case file as Gephi users and scripts read it: networkx (Debian's
python3-networkx) reads DIR/NETWORK.graphml and DIR/NETWORK.gexf, and each
must hold exactly the expected members, with their attributes, and exactly
the expected multiset of edges; DIR/NETWORK.html must be there, hold no
script, hold the picture, and name every member (escaped).

EXPECTED.json:
  {"nodes": {"kind:id": {"kind", "role_hint", "risk", "evidence", "target_rank"}},
   "edges": [{"tail": "kind:id", "head": "kind:id", "layer", "weight", "directed": bool}]}
Undirected edges match whichever end is written first; risk and weight
match to 1e-6 relative.

usage: case_file_check.py DIR NETWORK EXPECTED.json
Prints one line and exits 0, or names the first mismatch and exits 1.
"""
import html
import json
import math
import os
import sys

import networkx as nx

NODE_ATTRIBUTES = ("kind", "role_hint", "risk", "evidence", "target_rank")


def fail(message):
    print(f"case_file_check: FAILED: {message}")
    sys.exit(1)


def close(a, b):
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-12)


def edge_key(tail, head, layer, directed):
    ends = (tail, head) if directed else tuple(sorted((tail, head)))
    return (ends, layer, bool(directed))


def check_nodes(name, graph, expected):
    got = set(graph.nodes)
    want = set(expected)
    if got != want:
        missing, extra = sorted(want - got), sorted(got - want)
        fail(f"{name}: nodes differ: missing {missing[:5]}, unexpected {extra[:5]}")
    for node, attributes in expected.items():
        data = graph.nodes[node]
        for a in NODE_ATTRIBUTES:
            if a not in data:
                fail(f"{name}: node {node} has no attribute {a}")
            same = close(data[a], attributes[a]) if a == "risk" else data[a] == attributes[a]
            if not same:
                fail(f"{name}: node {node}: {a} is {data[a]!r}, expected {attributes[a]!r}")


def check_edges(name, graph, expected):
    # Group the file's edges by (ends, layer, directed); each expected edge
    # then takes one unused edge of its group whose weight matches.
    pool = {}
    for tail, head, data in graph.edges(data=True):
        for a in ("layer", "weight"):
            if a not in data:
                fail(f"{name}: edge {tail} -> {head} has no attribute {a}")
        directed = data.get("directed", graph.is_directed())
        pool.setdefault(edge_key(tail, head, data["layer"], directed), []).append(float(data["weight"]))
    for e in expected:
        key = edge_key(e["tail"], e["head"], e["layer"], e["directed"])
        weights = pool.get(key, [])
        match = next((i for i, w in enumerate(weights) if close(w, e["weight"])), None)
        if match is None:
            arrow = "->" if e["directed"] else "--"
            found = f" (that pair and layer has weights {weights})" if weights else ""
            fail(f"{name}: no edge {e['tail']} {arrow} {e['head']} on layer {e['layer']} "
                 f"with weight {e['weight']}{found}")
        weights.pop(match)
    left = [(k, w) for k, ws in pool.items() for w in ws]
    if left:
        (ends, layer, directed), weight = left[0]
        fail(f"{name}: {len(left)} unexpected edge(s), e.g. {ends[0]} {'->' if directed else '--'} {ends[1]} "
             f"on layer {layer} with weight {weight}")
    if graph.number_of_edges() != len(expected):
        fail(f"{name}: {graph.number_of_edges()} edges, expected {len(expected)}")


def check_html(path, expected_nodes):
    if not os.path.isfile(path):
        fail(f"{path} is missing")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if "<script" in text.lower():
        fail(f"{path} holds a <script>")
    if "<svg" not in text:
        fail(f"{path} holds no <svg> picture")
    plain = html.unescape(text)
    for node, attributes in expected_nodes.items():
        member_id = node.split(":", 1)[1] if ":" in node else node
        if member_id not in plain:
            fail(f"{path} does not name member {node}")
        # An id with markup characters must only appear escaped.
        if any(c in member_id for c in "<>&") and member_id in text:
            fail(f"{path} holds member id {member_id!r} unescaped")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    folder, network, expected_path = sys.argv[1:]
    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)
    nodes, edges = expected["nodes"], expected["edges"]
    base = os.path.join(folder, network)
    for name, read in ((base + ".graphml", nx.read_graphml), (base + ".gexf", nx.read_gexf)):
        if not os.path.isfile(name):
            fail(f"{name} is missing")
        try:
            graph = read(name)
        except Exception as e:  # noqa: BLE001 - any reader error is a failed check
            fail(f"{name}: networkx cannot read it: {e}")
        check_nodes(name, graph, nodes)
        check_edges(name, graph, edges)
    check_html(base + ".html", nodes)
    print(f"case_file_check: {network}: {len(nodes)} nodes and {len(edges)} edges match in GraphML and GEXF; "
          f"HTML has the picture, every member and no script")


if __name__ == "__main__":
    main()
