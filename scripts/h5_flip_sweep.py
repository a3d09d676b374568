#!/usr/bin/python3
"""Flip every byte (or every STRIDE-th) of an HDF5 file, one at a time, and
read every dataset and attribute back with h5py: does libhdf5 report the
damage, read the same values, read different values, or crash?

usage: h5_flip_sweep.py FILE [--stride N] [--mask M] [--json OUT]

Each damaged copy is read from memory (h5py's file-object driver) in a
worker process; a worker that dies (a libhdf5 crash) is counted as a crash
at that offset and a new worker carries on after it. The figures of
docs/integrity.md come from this script (Debian 12: h5py 3.7, HDF5 1.10.8).

Outcomes per offset:
  error      some object could not be read (HDF5 raised): the damage is reported
  same       every object reads exactly as in the undamaged file
  different  some object read without error but with other values: silent damage
  crash      the worker died (signal) or hung
"""
import argparse
import io
import json
import subprocess
import sys


def objects(f):
    """Names of every group and dataset, the root first."""
    names = ["/"]
    f.visit(lambda name: names.append("/" + name))
    return names


def read_object(f, name):
    import h5py
    obj = f[name]
    attrs = tuple(sorted((k, repr(obj.attrs[k])) for k in obj.attrs.keys()))
    if isinstance(obj, h5py.Dataset):
        return ("dataset", str(obj.dtype), obj.shape, obj[()].tobytes() if obj.shape != () else repr(obj[()]), attrs)
    return ("group", tuple(sorted(obj.keys())), attrs)


def dump(data, names):
    """Every object of `names` read from `data`: its value, or None where it fails."""
    import h5py
    out = {}
    try:
        f = h5py.File(io.BytesIO(bytes(data)), "r")
    except Exception:
        return None
    with f:
        for name in names:
            try:
                out[name] = read_object(f, name)
            except Exception:
                out[name] = None
    return out


def worker(path, start, end, stride, mask):
    import h5py
    original = open(path, "rb").read()
    with h5py.File(io.BytesIO(original), "r") as f:
        names = objects(f)
    baseline = dump(original, names)
    for offset in range(start, end, stride):
        data = bytearray(original)
        data[offset] ^= mask
        got = dump(data, names)
        if got is None or any(v is None for v in got.values()):
            different = got is not None and any(v is not None and v != baseline[k] for k, v in got.items())
            outcome = "different" if different else "error"
        elif got == baseline:
            outcome = "same"
        else:
            outcome = "different"
        print(offset, outcome, flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--stride", type=int, default=1)
    p.add_argument("--mask", type=lambda s: int(s, 0), default=0xFF)
    p.add_argument("--json")
    p.add_argument("--worker", nargs=2, type=int, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.worker:
        worker(a.file, a.worker[0], a.worker[1], a.stride, a.mask)
        return
    size = len(open(a.file, "rb").read())
    results = {}
    start = 0
    while start < size:
        proc = subprocess.Popen([sys.executable, __file__, a.file, "--stride", str(a.stride), "--mask", str(a.mask),
                                 "--worker", str(start), str(size)], stdout=subprocess.PIPE, text=True)
        last = start - a.stride
        for line in proc.stdout:
            offset, outcome = line.split()
            results[int(offset)] = outcome
            last = int(offset)
        proc.wait()
        start = last + a.stride
        if start < size and proc.returncode != 0:
            results[start] = "crash"
            start += a.stride
    counts = {}
    for outcome in results.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    print(json.dumps({"file": a.file, "bytes": size, "offsets": len(results), "mask": a.mask, "counts": counts}))
    for offset in sorted(results):
        if results[offset] in ("different", "crash"):
            print(f"  byte {offset}: {results[offset]}")
    if a.json:
        with open(a.json, "w") as out:
            json.dump({"file": a.file, "counts": counts, "results": results}, out)


if __name__ == "__main__":
    main()
