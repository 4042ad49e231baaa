#!/usr/bin/env python3
"""Live edit to searchable, lexically and by meaning, with the semantic leg ready (issue 14).

    scripts/semantic-edit.py --vectors /path/to/vectors.bin          # 1x, warm vector cache
    scripts/semantic-edit.py --content DIR --vectors FILE --edits 12

Builds nothing: runs target/release/selfserve (or $SELFSERVE_BIN) with `serve --watch` over a
COPY of --content (default ../shared/corpus, the real corpora: 1x) and a fresh data folder;
--vectors FILE is copied to <data>/semantic/vectors.bin first (without it the leg embeds the
whole corpus first: minutes at 1x). It waits for the log line "semantic search vectors up to
date", then for each edit (a different served file each time):

1. appends a new section: a heading holding a unique made-up word, and a sentence on a topic
   the corpora never touch (baking, gardening, pets, knitting);
2. polls, over one keep-alive connection, `GET /api/v1/search?q=WORD` (lexical: the time until
   a hit is the edited page) and `GET /api/v1/search?q=MEANING&limit=50`, where MEANING is a
   query that shares no word with the new sentence (semantic: the time until the edited page
   is among the hits, and its rank); also the time until the server logs "vectors up to
   date" again after the write;
3. restores the file and waits until the word is gone, so every edit starts from the corpus.

Prints median / p95 / max of each. Every wait is bounded (--timeout per edit, --budget for the
whole run); the server is ended on exit, also on Ctrl-C; the temporary folder is removed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import string
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
PROJECT = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))
from benchlib import Client, log, pct, release_binary  # noqa: E402

# (new sentence, a query meaning the same with none of its words)
PAIRS = [
    (
        "The sourdough starter needs feeding with flour and water every morning, or the bread will not rise in the oven.",
        "keep yeast culture alive for baking loaves",
    ),
    (
        "Tomato seedlings wilt when the greenhouse gets too hot; open the vents and soak the roots at dawn.",
        "vegetable plants drooping during summer heat",
    ),
    (
        "The cat refuses her kibble and hides under the sofa whenever the vacuum cleaner runs.",
        "pet frightened by noisy household appliance",
    ),
    (
        "Knit the scarf with two strands of wool on thick needles so the stitches stay loose and warm.",
        "making cozy winter neckwear by hand",
    ),
]
READY_LINE = "semantic search vectors up to date"
ANSI = re.compile(r"\x1b\[[0-9;]*m")




def load1() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--content", type=Path, default=Path(os.environ.get("SELFSERVE_CORPUS", PROJECT.parent / "shared" / "corpus")))
    ap.add_argument("--vectors", type=Path, help="a vector cache (vectors.bin) to start from")
    ap.add_argument("--edits", type=int, default=12, help="edits (default 12)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for one edit (default 30)")
    ap.add_argument("--ready-timeout", type=float, default=900.0, help="seconds to wait for the leg (default 900)")
    ap.add_argument("--budget", type=float, default=1200.0, help="seconds for the whole run (default 1200)")
    ap.add_argument("--poll", type=float, default=0.005, help="seconds between polls (default 0.005)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, copy)")
    args = ap.parse_args()

    binary = release_binary(PROJECT)
    if binary is None:
        return 1
    if not args.content.is_dir():
        log(f"error: {args.content} is not a folder; give --content")
        return 1
    rng = random.Random(args.seed)
    deadline = time.monotonic() + args.budget
    work = Path(tempfile.mkdtemp(prefix="selfserve-semedit."))
    proc = None

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        content = work / "content"
        shutil.copytree(args.content, content, ignore=shutil.ignore_patterns(".gen-corpus.json"))
        data = work / "data"
        (data / "semantic").mkdir(parents=True)
        if args.vectors:
            shutil.copy(args.vectors, data / "semantic" / "vectors.bin")
        errf = open(work / "server.err", "wb")
        outf = open(work / "server.log", "wb")
        started = time.monotonic()
        proc = subprocess.Popen(
            [str(binary), "serve", "--watch", "--content", str(content), "--data", str(data), "--addr", "127.0.0.1:0"],
            stdout=outf,
            stderr=errf,
        )

        def server_log() -> str:
            return ANSI.sub("", (work / "server.log").read_text(errors="replace") + (work / "server.err").read_text(errors="replace"))

        host, port = "", 0
        while not port:
            if proc.poll() is not None or time.monotonic() - started > 60:
                log(f"error: the server did not start: {server_log()[-500:]}")
                return 1
            m = re.search(r"listening on http://([0-9.]+):([0-9]+)", server_log())
            if m:
                host, port = m.group(1), int(m.group(2))
            time.sleep(0.02)
        while READY_LINE not in server_log():
            if proc.poll() is not None or time.monotonic() - started > args.ready_timeout:
                log(f"error: the semantic leg was not ready: {server_log()[-500:]}")
                return 1
            time.sleep(0.1)
        log(f"semantic leg ready {time.monotonic() - started:.1f} s after start")
        client = Client(host, port)

        def hits(q: str, limit: int = 10) -> list[str]:
            s, b = client.get(f"/api/v1/search?q={urllib.parse.quote_plus(q)}&limit={limit}")
            if s != 200:
                return []
            body = json.loads(b)
            if "semantic" not in body.get("legs", []):
                raise SystemExit("error: the search answered without the semantic leg")
            return [h.get("id") for h in body.get("hits", [])]

        md = sorted(p.relative_to(content).as_posix() for p in content.rglob("*.md") if p.name not in ("README.md", "ATTRIBUTION.md"))
        rng.shuffle(md)
        lexical: list[float] = []
        semantic: list[float] = []
        logged: list[float] = []
        ranks: list[int] = []
        misses = 0
        loads = [load1()]
        done = 0
        for rel in md:
            if done >= args.edits or time.monotonic() > deadline:
                break
            doc = rel[: -len(".md")]
            sentence, meaning = PAIRS[done % len(PAIRS)]
            if doc in hits(meaning, 50):
                continue  # already near in meaning (or not served): not a fair probe
            word = "zq" + "".join(rng.choice(string.ascii_lowercase) for _ in range(10)) + "x"
            path = content / rel
            original = path.read_bytes()
            lines_before = server_log().count(READY_LINE)
            t0 = time.monotonic()
            with open(path, "ab") as f:
                f.write(f"\n\n## Notes {word}\n\n{sentence}\n".encode())
            lex = sem = upd = None
            rank = None
            while time.monotonic() - t0 < args.timeout and (lex is None or sem is None or upd is None):
                if lex is None and doc in hits(word):
                    lex = time.monotonic() - t0
                if sem is None:
                    found = hits(meaning, 50)
                    if doc in found:
                        sem = time.monotonic() - t0
                        rank = found.index(doc) + 1
                if upd is None and server_log().count(READY_LINE) > lines_before:
                    upd = time.monotonic() - t0
                time.sleep(args.poll)
            path.write_bytes(original)
            if lex is None:
                log(f"{rel}: the edit was not searchable within {args.timeout} s; skipped")
                misses += 1
            else:
                lexical.append(lex)
                if sem is not None:
                    semantic.append(sem)
                    ranks.append(rank or 0)
                else:
                    misses += 1
                if upd is not None:
                    logged.append(upd)
                done += 1
                log(
                    f"edit {done}: {rel}: lexical {lex * 1000:.0f} ms; by meaning "
                    + (f"{sem * 1000:.0f} ms (rank {rank})" if sem is not None else "not found")
                    + (f"; vectors up to date logged after {upd * 1000:.0f} ms" if upd is not None else "")
                )
            # Wait for the restore to be searchable (the word gone) and for the leg to settle.
            t1 = time.monotonic()
            while time.monotonic() - t1 < args.timeout and doc in hits(word):
                time.sleep(0.05)
            time.sleep(1.5)
            loads.append(load1())

        def summary(name: str, values: list[float]) -> None:
            if values:
                print(
                    f"{name}: {len(values)} edits, median {statistics.median(values) * 1000:.0f} ms, "
                    f"p95 {pct(values, 0.95) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"
                )
            else:
                print(f"{name}: no figure")

        print(f"edits: {done}; not found by meaning within {args.timeout} s: {misses}; load (1 min) during: {', '.join(loads)}")
        summary("lexical (edit to the unique word's search returning the page)", lexical)
        summary("semantic (edit to a meaning-only query returning the page, limit 50)", semantic)
        if ranks:
            print(f"rank of the edited page for the meaning query: {sorted(ranks)}")
        summary('"vectors up to date" logged after the write', logged)
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
