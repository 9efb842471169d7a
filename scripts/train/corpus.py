"""Builds the training corpus for the learned models from text that Debian packages install.

Sources (each recorded in out/sources.json with package, path glob, license and byte count):
  * Chinese (Simplified) message catalogs, /usr/share/locale/zh_CN/LC_MESSAGES/*.mo: the msgstr
    side gives Chinese, the msgid side English. Licenses are read per owning package.
  * Chinese manual pages (manpages-zh), roff macros stripped.
  * English fortunes (fortunes, fortunes-min), one fortune per line.

Lines are split into sentences, deduplicated, and about 5% are held out for evaluation, chosen by
a hash of the line so the split never depends on order or on other lines. Everything is sorted,
so two runs on the same packages write the same bytes; the corpus SHA-256 is printed.

    /usr/bin/python3 scripts/train/corpus.py
"""
import collections
import gettext
import glob
import gzip
import hashlib
import json
import os
import pathlib
import re
import subprocess

OUT = pathlib.Path(__file__).resolve().parent / "out"
MO_GLOB = "/usr/share/locale/zh_CN/LC_MESSAGES/*.mo"
MAN_GLOB = "/usr/share/man/zh_CN/man*/*.gz"
FORTUNE_GLOB = "/usr/share/games/fortunes/*"
HOLDOUT_PER_MILLE = 50  # ~5% of lines go to the evaluation set
MAX_CHARS = 200  # longer sentences are dropped: the models see at most 128 tokens
CJK = re.compile(r"[\u4e00-\u9fff]")


def is_cjk_line(line):
    return bool(CJK.search(line))


# ---------------------------------------------------------------- licenses and packages

def owning_packages(paths):
    """Maps each path to the Debian package that installed it (dpkg -S, one call)."""
    if not paths:
        return {}
    out = subprocess.run(["dpkg", "-S", *paths], capture_output=True, text=True).stdout
    owner = {}
    for line in out.splitlines():
        pkg, _, path = line.partition(": ")
        owner[path.strip()] = pkg.split(",")[0].split(":")[0].strip()
    return owner


def license_of(package):
    """The license named in /usr/share/doc/PKG/copyright: in a machine-readable (DEP-5) file the
    'License:' of the 'Files: *' stanza, otherwise the license the free text names."""
    path = pathlib.Path("/usr/share/doc") / package / "copyright"
    if not path.exists():
        return "unknown (no copyright file)"
    text = path.read_text(errors="replace")
    if text.startswith("Format:"):
        m = re.search(r"^Files:\s*\*\s*\n(?:[^\n]+\n)*?License:\s*(\S[^\n]*)", text, re.M)
        m = m or re.search(r"^License:\s*(\S[^\n]*)", text, re.M)
        if m:
            return m.group(1).strip()
    for name, pattern in (("LGPL", r"GNU (Library|Lesser) General Public"), ("GPL", r"GNU General Public License"),
                          ("BSD", r"BSD copyright|Redistribution and use in source and binary"),
                          ("MIT/X11", r"Permission is hereby granted")):
        if re.search(pattern, text):
            return name + " (from the text of " + str(path) + ")"
    return "see " + str(path)


# ---------------------------------------------------------------- readers, one per source kind

def clean_message(text):
    """A catalog message as plain prose: format directives, accelerators and option columns go."""
    text = re.sub(r"%(\d+\$)?[-+ #0']*\d*(\.\d+)?(hh|h|ll|l|L|z|j|t)?[diouxXeEfgGcsSp%]", " ", text)
    text = re.sub(r"<[^>]{1,40}>", " ", text)  # markup in GTK/GLib messages
    text = text.replace("_", "").replace("&", "")
    return text


def read_catalog(path):
    """(Chinese lines, English lines) of one .mo file."""
    with open(path, "rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog
    zh, en = [], []
    for key, value in sorted(catalog.items(), key=lambda kv: repr(kv[0])):
        msgid = key[0] if isinstance(key, tuple) else key
        if not msgid:  # the header entry
            continue
        zh.extend(clean_message(value).split("\n"))
        en.extend(clean_message(msgid).split("\n"))
    return zh, en


ROFF_ESCAPES = [
    (r"\\f(\[[^\]]*\]|\(..|.)", ""),  # font changes
    (r"\\s[-+]?\d", ""),  # size changes
    (r"\\\*(\(..|\[[^\]]*\]|.)", ""),  # string registers
    (r"\\\((..)", " "),  # special characters
    (r"\\[-e]", "-"), (r"\\[&/,%|^:]", ""), (r"\\ ", " "), (r"\\.", ""),
]


def strip_roff(source):
    """Text lines of a man page: comments and requests dropped, the argument text of font
    macros (.B .I .BR ...) and headings kept, inline escapes removed."""
    lines = []
    for raw in source.splitlines():
        if raw.startswith(('.\\"', "'\\\"", '\\"')):
            continue
        if raw.startswith((".", "'")):
            m = re.match(r"[.']\s*(SH|SS|B|I|BI|BR|IB|IR|RB|RI|SM|SB)\s+(.*)", raw)
            if not m:
                continue
            raw = m.group(2).replace('"', "")
        for pattern, repl in ROFF_ESCAPES:
            raw = re.sub(pattern, repl, raw)
        lines.append(raw)
    return lines


def read_man(path):
    with gzip.open(path, "rb") as f:
        return strip_roff(f.read().decode("utf-8", errors="replace"))


def read_fortunes(path):
    """One line per fortune (the files separate them with a line holding only '%')."""
    text = pathlib.Path(path).read_text(encoding="utf-8", errors="replace")
    return [" ".join(chunk.split()) for chunk in re.split(r"^%$", text, flags=re.M)]


# ---------------------------------------------------------------- sentences

def sentences(line):
    """Splits at sentence-ending punctuation (kept with its sentence) and collapses spaces."""
    line = " ".join(line.split())
    parts = re.split(r"(?<=[。！？；])|(?<=[.!?;])\s+(?=[A-Z\"'(])", line)
    return [p.strip() for p in parts if p and p.strip()]


def keep(sentence, chinese):
    """Chinese sentences need a CJK character; English ones letters and no CJK; both a length
    that fits the models and mostly words rather than option tables."""
    if not 4 <= len(sentence) <= MAX_CHARS or is_cjk_line(sentence) != chinese:
        return False
    letters = sum(ch.isalpha() for ch in sentence)
    return letters >= 0.5 * len(sentence.replace(" ", ""))


def held_out(sentence):
    return int(hashlib.sha1(sentence.encode("utf-8")).hexdigest(), 16) % 1000 < HOLDOUT_PER_MILLE


# ---------------------------------------------------------------- main

def collect():
    """Per source: (record, sentences). Sources are read in sorted path order."""
    mo_paths = sorted(glob.glob(MO_GLOB))
    man_paths = sorted(glob.glob(MAN_GLOB))
    fortune_paths = sorted(p for p in glob.glob(FORTUNE_GLOB) if os.path.isfile(p) and "." not in os.path.basename(p))
    owner = owning_packages(mo_paths + man_paths[:1] + fortune_paths)

    groups = collections.OrderedDict()  # (kind, package, glob) -> lines

    def add(kind, package, pattern, lines, chinese):
        groups.setdefault((kind, package, pattern, chinese), []).extend(lines)

    for p in mo_paths:
        zh, en = read_catalog(p)
        pkg = owner.get(p, "unknown")
        add("message catalog msgstr (zh_CN)", pkg, MO_GLOB, zh, True)
        add("message catalog msgid (English)", pkg, MO_GLOB, en, False)
    for p in man_paths:
        add("manual pages (zh_CN)", "manpages-zh", MAN_GLOB, read_man(p), True)
    for p in fortune_paths:
        add("fortunes (English)", owner.get(p, "fortunes"), FORTUNE_GLOB, read_fortunes(p), False)
    return groups


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    seen = set()
    train, test = [], []
    records = []
    for (kind, pkg, pattern, chinese), lines in collect().items():
        kept = []
        for line in lines:
            for s in sentences(line):
                if keep(s, chinese) and s not in seen:
                    seen.add(s)
                    kept.append(s)
        nbytes = sum(len(s.encode("utf-8")) + 1 for s in kept)
        records.append({"kind": kind, "package": pkg, "paths": pattern, "license": license_of(pkg),
                        "sentences": len(kept), "bytes": nbytes})
        for s in kept:
            (test if held_out(s) else train).append(s)
    # Merge catalogs by kind in the record list so each package shows once per kind.
    write(train, test, records)


def write(train, test, records):
    files = {"train.txt": train, "heldout.txt": test}
    digest = hashlib.sha256()
    sizes = {}
    for name, lines in files.items():
        data = ("\n".join(lines) + "\n").encode("utf-8")
        (OUT / name).write_bytes(data)
        digest.update(data)
        sizes[name] = {"lines": len(lines), "bytes": len(data)}
    sha = digest.hexdigest()
    summary = {"sha256": sha, "files": sizes, "sources": records}
    (OUT / "sources.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for r in records:
        if r["sentences"]:
            print(f"{r['bytes']:>9}  {r['sentences']:>6}  {r['package']:<28} {r['license'][:40]:<40} {r['kind']}")
    print(f"train: {sizes['train.txt']}  heldout: {sizes['heldout.txt']}")
    print(f"corpus sha256 {sha}")


if __name__ == "__main__":
    main()
