#!/usr/bin/env python3
"""Multiply a Markdown corpus N times under prefixes, perturbing prose per copy.

    scripts/gen-corpus.py --out /tmp/corpus-10x --copies 10
    scripts/gen-corpus.py --out /tmp/corpus-100x --copies 100 --seed 7

Every file of the source folders (default: `gitlab-runbooks/` and `argocd-docs/` of
$SELFSERVE_CORPUS or ../shared/corpus) is written once per copy under `copy-000/`,
`copy-001/`, ... as `copy-NNN/<folder>/<path>`, so relative links keep resolving inside their
copy and ids never collide across copies. `--copies 1` is the real corpus itself (1x).

Copy 0 is the corpus as it is. In every other copy a fraction (`--fraction`, default 0.15) of
the plain prose words (lowercase, four letters or more) is replaced by words drawn from the
corpus's own prose vocabulary, weighted by how often each occurs, so the term distribution
stays that of real documentation while copies differ from one another. Never touched: front
matter, headings (their ids are link targets), fenced code, inline code, link targets, link
reference labels, autolinks and HTML tags, URLs, `{...}` attributes and includes, emoji
shortcodes. Output is deterministic from `--seed`: the same arguments give the same bytes.

Standard library only. A marker file `.gen-corpus.json` (hidden, so selfserve ignores it)
records the arguments; running again with the same arguments over a complete output is a
no-op, so scripts can call this unconditionally.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import os
import random
import re
import shutil
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

MARKER = ".gen-corpus.json"
FORMAT_VERSION = 1

# Protected pieces of a prose line, tried before words. Order matters: the first alternative
# that matches at a position wins.
PROTECTED = (
    r"`+[^`]*`+"  # inline code (and runs of backticks)
    r"|\]\([^)\n]*\)"  # link / image target: ](url "title")
    r"|\]\[[^\]\n]*\]"  # reference link label: ][label]
    r"|\[[^\]\n]*\](?!\()"  # [label], [!NOTE], [[_TOC_]], [ ], [x] not followed by (
    r"|<[^>\n]*>"  # HTML tags, autolinks, comments on one line
    r"|\{[^}\n]*\}"  # {#id}, {: .class }, {!include!}
    r"|https?://\S+"  # bare URLs
    r"|&[#\w]+;"  # entities
    r"|:[a-z0-9_+\-]+:"  # emoji shortcodes
)
WORD = r"\w+(?:['’\-_./:@]\w+)*"
TOKEN_RE = re.compile(f"({PROTECTED})|({WORD})")
REPLACEABLE_RE = re.compile(r"[a-z]{4,}\Z")
FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)\s*$")
REFDEF_RE = re.compile(r"^ {0,3}\[[^\]]+\]:")
HEADING_RE = re.compile(r"^ {0,3}#{1,6}(\s|$)")


CORPUS_FOLDERS = ("gitlab-runbooks", "argocd-docs")


def default_sources() -> list[Path]:
    """The two real corpora, from $SELFSERVE_CORPUS or ../shared/corpus beside the project."""
    env = os.environ.get("SELFSERVE_CORPUS")
    base = Path(env) if env else Path(__file__).resolve().parent.parent / ".." / "shared" / "corpus"
    return [(base / name).resolve() for name in CORPUS_FOLDERS]


def front_matter_end(lines: list[str]) -> int:
    """Number of leading lines that are front matter (0 when there is none)."""
    if not lines:
        return 0
    first = lines[0].rstrip("\r\n").lstrip("\ufeff")
    closers = {"---": ("---", "..."), "+++": ("+++",)}.get(first)
    if closers is None:
        return 0
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n").rstrip() in closers:
            return i + 1
    return 0  # never closed: not front matter as far as we are concerned


def template(text: str, vocab: Counter | None) -> list:
    """Splits a Markdown text into segments: strings (kept) and, at the positions of
    replaceable words, the word itself. Returns (segments, word positions)."""
    lines = text.splitlines(keepends=True)
    segments: list[str] = []
    positions: list[int] = []
    literal: list[str] = []  # pending protected text, flushed as one segment

    def flush():
        if literal:
            segments.append("".join(literal))
            literal.clear()

    start = front_matter_end(lines)
    literal.extend(lines[:start])
    fence: tuple[str, int] | None = None
    for i in range(start, len(lines)):
        line = lines[i]
        if fence is not None:
            literal.append(line)
            m = FENCE_RE.match(line)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= fence[1] and not m.group(2).strip():
                fence = None
            continue
        m = FENCE_RE.match(line)
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            fence = (m.group(1)[0], len(m.group(1)))
            literal.append(line)
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if (
            HEADING_RE.match(line)
            or REFDEF_RE.match(line)
            or line.lstrip().startswith("<")
            or (line.strip() and SETEXT_RE.match(nxt))
        ):
            literal.append(line)
            continue
        last = 0
        for m in TOKEN_RE.finditer(line):
            word = m.group(2)
            if word is None or not REPLACEABLE_RE.match(word):
                continue
            literal.append(line[last : m.start()])
            flush()
            positions.append(len(segments))
            segments.append(word)
            if vocab is not None:
                vocab[word] += 1
            last = m.end()
        literal.append(line[last:])
    flush()
    return segments, positions


# ── per-process state for the workers ──
_STATE: dict = {}


def _init(state: dict) -> None:
    _STATE.update(state)


def _write_copy(copy: int) -> int:
    """Writes one copy; returns the number of files written."""
    out: Path = _STATE["out"]
    seed: int = _STATE["seed"]
    fraction: float = _STATE["fraction"]
    vocab_words: list[str] = _STATE["vocab_words"]
    cum: list[int] = _STATE["cum"]
    total = cum[-1] if cum else 0
    prefix = out / f"copy-{copy:03d}"
    written = 0
    made_dirs: set[Path] = set()
    for rel, payload in _STATE["files"]:
        dest = prefix / rel
        parent = dest.parent
        if parent not in made_dirs:
            parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(parent)
        if isinstance(payload, bytes):
            dest.write_bytes(payload)
        else:
            segments, positions = payload
            if copy == 0 or not positions or total == 0:
                data = "".join(segments)
            else:
                rng = random.Random(f"{seed}:{copy}:{rel}")
                k = int(len(positions) * fraction)
                # Rounding: carry the fractional part by chance so small files change too.
                if rng.random() < len(positions) * fraction - k:
                    k += 1
                segments = list(segments)
                if k:
                    chosen = rng.sample(positions, k)
                    rnd = rng.random
                    for pos in chosen:
                        segments[pos] = vocab_words[bisect.bisect_right(cum, rnd() * total)]
                data = "".join(segments)
            with open(dest, "w", encoding="utf-8", newline="") as f:
                f.write(data)
        written += 1
    return written


def load_sources(sources: list[Path]) -> tuple[list, Counter, int]:
    files = []
    vocab: Counter = Counter()
    total_bytes = 0
    for source in sources:
        load_source(source, files, vocab)
    total_bytes = sum(len(p) if isinstance(p, bytes) else sum(map(len, p[0])) for _, p in files)
    return files, vocab, total_bytes


def load_source(source: Path, files: list, vocab: Counter) -> None:
    """Adds every file of `source` under `<source folder name>/`."""
    for dirpath, dirnames, filenames in os.walk(source):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = f"{source.name}/{path.relative_to(source).as_posix()}"
            data = path.read_bytes()
            if name.lower().endswith((".md", ".markdown")):
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    files.append((rel, data))
                    continue
                files.append((rel, template(text, vocab)))
            else:
                files.append((rel, data))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="output folder (content root)")
    parser.add_argument("--copies", type=int, default=10, help="how many copies (default 10)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--source",
        type=Path,
        action="append",
        help="a folder to copy, kept under its own name; repeatable "
        "(default: gitlab-runbooks and argocd-docs from $SELFSERVE_CORPUS or ../shared/corpus)",
    )
    parser.add_argument("--fraction", type=float, default=0.15, help="share of prose words replaced per copy (default 0.15)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes (default 2)")
    parser.add_argument("--force", action="store_true", help="regenerate even when the output matches")
    args = parser.parse_args()

    sources = [s.resolve() for s in args.source] if args.source else default_sources()
    for source in sources:
        if not source.is_dir():
            print(f"gen-corpus: the corpus folder {source} is not a folder; pass --source or set SELFSERVE_CORPUS", file=sys.stderr)
            return 2
    if args.copies < 1 or args.copies > 1000:
        print("gen-corpus: --copies must be between 1 and 1000", file=sys.stderr)
        return 2
    if not 0.0 <= args.fraction <= 1.0:
        print("gen-corpus: --fraction must be between 0 and 1", file=sys.stderr)
        return 2

    params = {
        "version": FORMAT_VERSION,
        "sources": [str(s) for s in sources],
        "copies": args.copies,
        "seed": args.seed,
        "fraction": args.fraction,
    }
    out: Path = args.out.resolve()
    marker = out / MARKER
    if not args.force and marker.is_file():
        try:
            if json.loads(marker.read_text()).get("params") == params:
                print(f"gen-corpus: {out} is already up to date ({args.copies} copies)", file=sys.stderr)
                return 0
        except (OSError, ValueError):
            pass
    if out.exists():
        if not out.is_dir():
            print(f"gen-corpus: {out} exists and is not a folder", file=sys.stderr)
            return 2
        if any(out.iterdir()) and not (marker.is_file() or args.force):
            print(f"gen-corpus: {out} is not empty and was not made by this script; pass --force to replace it", file=sys.stderr)
            return 2
        shutil.rmtree(out)
    out.mkdir(parents=True)

    started = time.monotonic()
    files, vocab, total_bytes = load_sources(sources)
    vocab_words = [w for w, _ in vocab.most_common()]
    cum = list(itertools.accumulate(vocab[w] for w in vocab_words))
    parsed = time.monotonic()
    state = {
        "out": out,
        "seed": args.seed,
        "fraction": args.fraction,
        "files": files,
        "vocab_words": vocab_words,
        "cum": cum,
    }
    copies = range(args.copies)
    if args.jobs > 1 and args.copies > 1:
        with ProcessPoolExecutor(max_workers=args.jobs, initializer=_init, initargs=(state,)) as pool:
            written = sum(pool.map(_write_copy, copies, chunksize=1))
    else:
        _init(state)
        written = sum(map(_write_copy, copies))
    marker.write_text(json.dumps({"params": params, "files": written}, indent=2) + "\n")
    done = time.monotonic()
    print(
        f"gen-corpus: {written} files ({len(files)} x {args.copies}, "
        f"~{total_bytes * args.copies / 1e6:.0f} MB) in {out}; vocabulary {len(vocab_words)} words; "
        f"read {parsed - started:.1f} s, wrote {done - parsed:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
