#!/usr/bin/env python3
"""Builds context.jsonl from context.txt (deterministic).

Usage: python3 testdata/injection/build_context.py   (run from anywhere)

context.txt has the format of families.txt: one prompt per line under "## <label> <family>"
headers, "# " comment lines, a literal \\n in a line is a line break. Rows get the source
"context/<family>", a source family of its own for leave-one-source-out.
"""
import json, os

HERE = os.path.dirname(os.path.abspath(__file__))


def rows(name):
    label = fam = None
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("## "):
                label, fam = line[3:].split()
                continue
            if line.strip() and not line.startswith("# "):
                yield {"text": line.strip().replace("\\n", "\n"), "label": label, "source": f"context/{fam}"}


with open(os.path.join(HERE, "context.jsonl"), "w", encoding="utf-8") as f:
    for r in rows("context.txt"):
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
