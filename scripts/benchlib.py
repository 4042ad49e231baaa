"""Helpers shared by the Python measurement scripts (edit-to-searchable.py, semantic-edit.py)."""

from __future__ import annotations

import http.client
import os
import sys
from pathlib import Path


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def release_binary(project: Path) -> Path | None:
    """The server binary to measure: $SELFSERVE_BIN or the project's release build; None (after
    saying what to do) when it is not there, since a debug build would measure the wrong thing."""
    binary = Path(os.environ.get("SELFSERVE_BIN", project / "target" / "release" / "selfserve"))
    if not os.access(binary, os.X_OK):
        log(f"error: no release binary at {binary}; run 'cargo build --release' first (or set SELFSERVE_BIN)")
        return None
    return binary


def pct(values: list[float], p: float) -> float:
    """The p-quantile of `values` (0..1), interpolated; NaN when empty."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


class Client:
    """One keep-alive HTTP connection, reopened when the server drops it."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=30)

    def get(self, path: str) -> tuple[int, bytes]:
        for attempt in range(2):
            try:
                self.conn.request("GET", path)
                resp = self.conn.getresponse()
                return resp.status, resp.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt:
                    raise
        raise RuntimeError("unreachable")
