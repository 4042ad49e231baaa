#!/usr/bin/env python3
"""Greedy set cover over a libFuzzer merge control file: the fewest inputs of a
minimised corpus that keep most of its coverage edges (see README.md).
Usage: pick.py CONTROL_FILE TARGET [MAX_FILES] [MAX_BYTES]"""
import os, shutil, sys

control, target = sys.argv[1], sys.argv[2]
most = int(sys.argv[3]) if len(sys.argv) > 3 else 300
budget = int(sys.argv[4]) if len(sys.argv) > 4 else 300_000
lines = open(control).read().split("\n")
n = int(lines[0])
files = lines[2:2 + n]
cov = {}
for line in lines[2 + n:]:
    parts = line.split()
    if len(parts) >= 2 and parts[0] == "COV":
        cov[int(parts[1])] = set(parts[2:])
total = set().union(*cov.values()) if cov else set()
covered, picked, size = set(), [], 0
while len(picked) < most:
    best, gain = None, 0
    for i, edges in cov.items():
        g = len(edges - covered)
        if g and (g > gain or (g == gain and os.path.getsize(files[i]) < os.path.getsize(files[best]))):
            best, gain = i, g
    if best is None:
        break
    s = os.path.getsize(files[best])
    if size + s > budget:
        del cov[best]
        continue
    covered |= cov.pop(best)
    picked.append(files[best])
    size += s
out = f"../tests/fuzz/{target}"
os.makedirs(out, exist_ok=True)
for f in picked:
    shutil.copy(f, os.path.join(out, os.path.basename(f)))
print(f"{target}: kept {len(picked)} inputs, {size} bytes, {len(covered)}/{len(total)} edges")
