#!/usr/bin/python3
"""Draws bench/api/scale.py's rows (JSON on stdin) into a PNG: requests/s and p99 against
store size, one line per case.   /usr/bin/python3 bench/api/plot_scale.py OUT.png < rows.json
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

rows = json.load(sys.stdin)
sizes = [r["size"] for r in rows]
fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
for k in ("get", "list", "checkout"):
    a.plot(sizes, [r[k]["rps"] for r in rows], marker="o", label=k)
    b.plot(sizes, [r[k]["p99_us"] / 1000 for r in rows], marker="o", label=k)
for ax, title in ((a, "requests/s"), (b, "p99 latency (ms)")):
    ax.set_xscale("log")
    ax.set_xlabel("project secrets in the store")
    ax.set_title(title)
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend()
fig.tight_layout()
fig.savefig(sys.argv[1], dpi=80)
