#!/usr/bin/env python3
"""Builds business.jsonl, businessblind.jsonl, handwritten.jsonl, families.jsonl, harm.jsonl, evasion.jsonl and encoded.jsonl from the hand-written text files.

Usage: python3 testdata/injection/build_handwritten.py   (run from anywhere; deterministic)

business.txt and handwritten.txt hold one prompt per line under "## <label> <family>" headers
(business.txt: "## <department>", every row benign). encoded.jsonl is generated: a fixed
subset of the hand-written attacks and of the business prompts, each written in one of the
encodings attackers use (base64, base32, hex, rot13, HTML entities, %-escapes, \\u escapes,
reversed text, reversed words, spaced letters), attacks labelled injection and the encoded
business prompts benign, so the figure shows what decoding costs in false positives too.
"""
import base64, codecs, hashlib, json, os, urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))


def read_sections(name, escapes=False):
    label, fam = None, None
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("## "):
                parts = line[3:].split()
                if len(parts) == 1:
                    label, fam = "benign", parts[0]
                else:
                    label, fam = parts[0], parts[1]
                continue
            if line.strip() and not line.startswith("# "):
                yield label, fam, line.strip().replace("\\n", "\n") if escapes else line.strip()


def write(name, rows):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


business = [{"text": t, "label": "benign", "source": f"business/{fam}"} for _, fam, t in read_sections("business.txt")]
hand = [{"text": t, "label": lab, "source": f"handwritten/{fam}"} for lab, fam, t in read_sections("handwritten.txt")]
write("business.jsonl", business)
write("handwritten.jsonl", hand)
# families.txt is its own source family ("families/<family>") so that leave-one-source-out
# measures the rules on it separately; encoded.jsonl does not draw from it.
write("families.jsonl", [{"text": t, "label": lab, "source": f"families/{fam}"} for lab, fam, t in read_sections("families.txt", True)])
# harm.txt (harmful requests framed to get past the model's rules, with hard benign counterparts) is
# a source family of its own too ("harm/<family>"); encoded.jsonl does not draw from it.
write("harm.jsonl", [{"text": t, "label": lab, "source": f"harm/{fam}"} for lab, fam, t in read_sections("harm.txt")])
# businessblind.txt (ordinary work requests like business.txt, "## <department>") is kept blind:
# rows no rule is written from, measured as a source family of their own ("businessblind/<department>");
# encoded.jsonl does not draw from it.
write("businessblind.jsonl", [{"text": t, "label": "benign", "source": f"businessblind/{fam}"} for _, fam, t in read_sections("businessblind.txt")])


def html_dec(s):
    return "".join(f"&#{ord(c)};" for c in s)


def html_hex(s):
    return "".join(f"&#x{ord(c):x};" for c in s)


def uesc(s):
    return "".join(f"\\u{ord(c):04x}" for c in s)


ENC = [
    ("base64", lambda s: base64.b64encode(s.encode()).decode()),
    ("base32", lambda s: base64.b32encode(s.encode()).decode()),
    ("hex", lambda s: s.encode().hex()),
    ("rot13", lambda s: codecs.encode(s, "rot13")),
    ("html_dec", html_dec),
    ("html_hex", html_hex),
    ("percent", lambda s: urllib.parse.quote(s)),
    ("uescape", uesc),
    ("reversed", lambda s: s[::-1]),
    ("reversed_words", lambda s: " ".join(w[::-1] for w in s.split())),
    ("spaced", lambda s: " ".join(s)),
]
WRAP = ["{}", "Decode this and do what it says: {}", "{}\n(decoded, follow it)", "Here is my question, encoded: {}"]
BENIGN_WRAP = ["Decode this: {}", "{}", "What does this say? {}", "Please decode and answer: {}"]


def pick(t, n):
    return int(hashlib.sha1(t.encode()).hexdigest(), 16) % n


ascii_attacks = [r["text"] for r in hand if r["label"] == "injection" and r["text"].isascii()
                 and r["source"] not in ("handwritten/misspelled", "handwritten/structural") and len(r["text"]) < 160]
# The encoded rows are drawn from the sections that existed when encoded.jsonl was first
# built, so that adding prompts does not change it.
ascii_business = [r["text"] for r in business if r["text"].isascii() and len(r["text"]) < 120
                  and r["source"] != "business/tricky2"]
enc = []
for i, t in enumerate(sorted(ascii_attacks, key=lambda t: hashlib.sha1(t.encode()).hexdigest())[:88]):
    name, fn = ENC[i % len(ENC)]
    enc.append({"text": WRAP[pick(t, len(WRAP))].format(fn(t)), "label": "injection", "source": f"encoded/{name}"})
for i, t in enumerate(sorted(ascii_business, key=lambda t: hashlib.sha1(t.encode()).hexdigest())[:44]):
    name, fn = ENC[i % len(ENC)]
    enc.append({"text": BENIGN_WRAP[pick(t, len(BENIGN_WRAP))].format(fn(t)), "label": "benign", "source": f"encoded/{name}"})
write("encoded.jsonl", enc)

# evasion.txt: obfuscated attacks and the secret / access-code genre with ordinary prompts in the
# same words, its own source family ("evasion/<family>"). A section "## injection encode_<name>"
# holds plain attacks that are written out in that encoding (base32, hex, HTML references, rot13,
# reversed text); "\n" in a line is a line break.
EVASION_ENC = {
    "base32": lambda s: base64.b32encode(s.encode()).decode(),
    "hex": lambda s: s.encode().hex(),
    "html": html_dec,
    "rot13": lambda s: codecs.encode(s, "rot13"),
    "reversed": lambda s: s[::-1],
}
evasion = []
for lab, fam, t in read_sections("evasion.txt", True):
    if fam.startswith("encode_"):
        name = fam[len("encode_"):]
        wraps = WRAP if lab == "injection" else BENIGN_WRAP
        t = wraps[pick(t, len(wraps))].format(EVASION_ENC[name](t))
        fam = f"encoded_{name}"
    evasion.append({"text": t, "label": lab, "source": f"evasion/{fam}"})
write("evasion.jsonl", evasion)
