#!/bin/sh
# Fills corpus/<target>/ with seed inputs (see README.md). CORPUS: the shared real-docs
# corpus, sampled when present (never copied into the repository).
cd "$(dirname "$0")"
CORPUS=${CORPUS:-../../shared/corpus} exec python3 - <<'PY'
import glob, hashlib, os, random, re
random.seed(13)
def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    if data and len(data) <= 65536:
        os.makedirs(f"corpus/{target}", exist_ok=True)
        open(f"corpus/{target}/{hashlib.sha1(data).hexdigest()}", "wb").write(data)
own = glob.glob("../content/**/*.md", recursive=True) + glob.glob("../tests/fixtures/**/*.md", recursive=True)
for p in own:
    d = open(p, "rb").read()
    put("front_matter", d); put("markdown", d)
    if "troubleshooting" in p: put("tree", d)
    for m in re.finditer(rb"```quiz\n(.*?)```", d, re.S): put("quiz", m.group(1))
    m = re.match(rb"(---\n.*?\n---\n)", d, re.S)
    if m: put("front_matter", m.group(1))
shared = [p for p in glob.glob(os.environ["CORPUS"] + "/**/*.md", recursive=True)
          if os.path.getsize(p) < 20000 and "ATTRIBUTION" not in p]
if shared:
    special = [p for p in shared if re.search(r"^(!!!|:::|\?\?\?)|\[\[_TOC_\]\]|\[!NOTE\]|```mermaid",
                                              open(p, errors="ignore").read(), re.M)]
    for p in set(random.sample(shared, min(150, len(shared))) + random.sample(special, min(60, len(special)))):
        d = open(p, "rb").read()
        put("markdown", d)
        if d.startswith(b"---"): put("front_matter", d)
    for p in random.sample(shared, min(40, len(shared))):
        lines = [l for l in open(p, errors="ignore").read().splitlines() if 10 < len(l) < 200]
        if lines: put("search_query", random.choice(lines))
put("front_matter", "+++\ntitle = \"T\"\ntags = [\"a\", \"b\"]\norder = 3\n+++\nbody\n")
put("front_matter", "---\ntitle: T\nreviewed: 2024-01-02\nvalid_for: 90d\nkind: resource\nrequires: [a]\n...\n# x\n")
for q in ["- question: Which?\n  choices: [a, b, c]\n  answer: [0, 2]\n  explain: because\n- question: One\n  choices:\n    - x\n    - y\n  answer: 1\n",
          "- &q\n  question: Anchored\n  choices: [a, b]\n  answer: 0\n- *q\n",
          "- question: bad\n  choices: [a]\n  answer: 3\n  extra: 1\n- question: ok\n  choices: [a, b]\n  answer: -1\n",
          "question: not a list\n",
          "- {question: flow, choices: [\"a\", 'b'], answer: 1}\n"]:
    put("quiz", q)
for q in ["kubectl get pods", "CrashLoopBackOff", "Error: pq: permission denied for table \"users\" (SQLSTATE 42501)",
          "SidekiqQueueTooLarge", "argocd app sync --prune", "how do I rotate a token", "reciever", "node_exporter",
          "q=deploy&kind=guide&limit=5&offset=0", "q=%E2%9C%93+tls&tag=k8s&limit=-3", "kind=tree&q=pod+crash",
          "\"quoted phrase\" -negated field:value", "x" * 300, "C++ std::vector<int>", "a.b.c/d-e_f", "数据库 連線"]:
    put("search_query", q)
PY
