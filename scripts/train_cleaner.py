#!/usr/bin/env python3
"""Train the line classifier of newsprep's cleaner (src/clean/model.txt).

Reproducible (fixed seeds). Needs numpy and scikit-learn (pip install scikit-learn).

  python3 scripts/train_cleaner.py                 # cross-validate by page, then train on all
  python3 scripts/train_cleaner.py --no-cv         # just train and write the model
  python3 scripts/train_cleaner.py --cv-only       # report the honest number, keep the model

Steps:
 1. `cargo run --release --example dump_units` writes every line unit the cleaner sees on
    each dev page, with its features (computed by the Rust code itself, so training and
    inference see the same numbers) and the rule decision where a rule decided.
 2. Labels: the page's tokens (\\w+, as score.py counts them) are aligned to the gold
    body's tokens (difflib, longest matching blocks first); a unit is "body" when at least
    half of its tokens are matched. Units a rule decided are left out of training.
 3. Sample weights: a unit weighs its token count over its page's, so every page counts the
    same (the target metric is a macro average over pages).
 4. K-fold cross-validation BY PAGE: for each fold a model is trained on the other pages,
    exported, and the Rust cleaner (examples/clean_dir --model) cleans the held-out pages;
    score.py then scores the union of held-out outputs. That is the honest number.
 5. A final model on all pages is exported to src/clean/model.txt.
"""
import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEV = os.path.join(ROOT, "tests", "data", "cleanup-dev")
MODEL_OUT = os.path.join(ROOT, "src", "clean", "model.txt")
TOK = re.compile(r"\w+")
SEED = 0
# Shallow trees (depth <= 5) and few of them: the cleaner walks every tree to its depth and
# stops early (model.rs GATE_*), so speed goes with depth x trees walked (~9 per line).
PARAMS = dict(max_iter=40, max_depth=5, max_leaf_nodes=32, learning_rate=0.3,
              min_samples_leaf=20, l2_regularization=1.0, early_stopping=False,
              random_state=SEED)


def run(cmd, **kw):
    print("+", " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, cwd=ROOT, check=True, **kw)


def dump_dir(d):
    out = subprocess.run([os.path.join(ROOT, "target", "release", "examples", "dump_units"), d],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    lines = out.splitlines()
    names = json.loads(lines[0])["features"]
    docs = [json.loads(row) for row in lines[1:]]
    for doc in docs:
        doc["page"] = doc["id"].split("__")[0]
    return names, docs


def dump_units():
    run(["cargo", "build", "--release", "--examples", "-q"])
    return dump_dir(DEV)


def augment(docs):
    """Lighter-noise variants of every page, so the model also knows clean-ish pages (and
    its own output: idempotence): the gold body alone, and the page cut to the region
    around its body lines (a few furniture lines left on each side)."""
    tmp = tempfile.mkdtemp(prefix="cleaner_aug_")
    for doc in docs:
        pid = doc["id"]
        gold = open(os.path.join(DEV, pid + ".gold.txt"), encoding="utf-8").read()
        with open(os.path.join(tmp, pid + "__gold.noisy.txt"), "w", encoding="utf-8") as f:
            f.write(gold)
        lab, _ = labels_for(doc)
        idx = [k for k, v in enumerate(lab) if v]
        if idx:
            rng = np.random.RandomState(int(pid[:8], 16) % (2**31))
            a = max(0, idx[0] - int(rng.randint(0, 6)))
            b = min(len(lab), idx[-1] + 1 + int(rng.randint(0, 6)))
            sep = "\n\n" if rng.rand() < 0.5 else "\n"
            body = sep.join(u[0] for u in doc["units"][a:b])
            with open(os.path.join(tmp, pid + "__trim.noisy.txt"), "w", encoding="utf-8") as f:
                f.write(body)
    _, aug = dump_dir(tmp)
    shutil.rmtree(tmp)
    return aug


_LABEL_CACHE = {}


def labels_for(doc):
    key = (doc["id"], hash(tuple(u[0] for u in doc["units"])))
    if key not in _LABEL_CACHE:
        _LABEL_CACHE[key] = _labels_for(doc)
    return _LABEL_CACHE[key]


def _labels_for(doc):
    page = doc["id"].split("__")[0]
    gold = TOK.findall(open(os.path.join(DEV, page + ".gold.txt"), encoding="utf-8").read())
    toks, owner = [], []
    for k, (text, _, _) in enumerate(doc["units"]):
        t = TOK.findall(text)
        toks.extend(t)
        owner.extend([k] * len(t))
    matched = np.zeros(len(doc["units"]))
    total = np.zeros(len(doc["units"]))
    for k in owner:
        total[k] += 1
    sm = difflib.SequenceMatcher(None, toks, gold, autojunk=False)
    for a, _, size in sm.get_matching_blocks():
        for p in range(a, a + size):
            matched[owner[p]] += 1
    frac = np.divide(matched, total, out=np.zeros_like(matched), where=total > 0)
    return (frac >= 0.5).astype(int), total


def build(docs, page_index):
    X, y, w, g = [], [], [], []
    for doc in docs:
        gi = page_index[doc["page"]]
        lab, ntok = labels_for(doc)
        keep = [k for k, u in enumerate(doc["units"]) if u[1] is None]
        if not keep:
            continue
        tot = sum(ntok[k] + 1 for k in keep)
        for k in keep:
            X.append(doc["units"][k][2])
            y.append(lab[k])
            w.append((ntok[k] + 1) / tot)
            g.append(gi)
    return (np.asarray(X, dtype=np.float32), np.asarray(y), np.asarray(w), np.asarray(g))


def fit(X, y, w):
    clf = HistGradientBoostingClassifier(**PARAMS)
    clf.fit(X, y, sample_weight=w * len(w) / w.sum())
    return clf


def export(clf, n_feat, path, shift=0.0):
    """Writes the ensemble in model.rs's text format; `shift` moves the decision threshold."""
    base = float(np.ravel(clf._baseline_prediction)[0]) - shift
    trees = [p[0].nodes for p in clf._predictors]
    out = [f"gbdt {n_feat} {len(trees)} {base!r}"]
    for nodes in trees:
        out.append(f"tree {len(nodes)}")
        for nd in nodes:
            if nd["is_leaf"]:
                out.append(f"-1 0 0 0 {float(nd['value']):.6g}")
            else:
                out.append(f"{int(nd['feature_idx'])} {float(nd['num_threshold'])!r} "
                           f"{int(nd['left'])} {int(nd['right'])} 0")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def check_export(clf, X, path):
    """The exported text must reproduce scikit-learn's decision function."""
    lines = open(path).read().split("\n")
    head = lines[0].split()
    base, pos, trees = float(head[3]), 1, []
    for _ in range(int(head[2])):
        n = int(lines[pos].split()[1])
        trees.append([row.split() for row in lines[pos + 1:pos + 1 + n]])
        pos += 1 + n
    for x, want in zip(X[:200], clf.decision_function(X[:200])):
        s = base
        for t in trees:
            k = 0
            while t[k][0] != "-1":
                f, thr, left, right = int(t[k][0]), float(t[k][1]), int(t[k][2]), int(t[k][3])
                k = left if float(x[f]) <= thr else right
            s += float(t[k][4])
        assert abs(s - want) < 1e-3, (s, want)


def score(pred_dir, extra=()):
    return subprocess.run([sys.executable, os.path.join(DEV, "score.py"), pred_dir, *extra],
                          check=True, capture_output=True, text=True).stdout


def cross_validate(names, docs, X, y, w, g, k=5, shifts=(0.0,), report=0.0):
    rng = np.random.RandomState(SEED)
    order = rng.permutation(len(docs))
    fold_of = np.empty(len(docs), dtype=int)
    fold_of[order] = np.arange(len(docs)) % k
    tmp = tempfile.mkdtemp(prefix="cleaner_cv_")
    outs = {sh: os.path.join(tmp, f"out_{sh}") for sh in shifts}
    for d in outs.values():
        os.makedirs(d)
    bin_ = os.path.join(ROOT, "target", "release", "examples", "clean_dir")
    for f in range(k):
        tr = fold_of[g] != f
        clf = fit(X[tr], y[tr], w[tr])
        ind = os.path.join(tmp, f"in_{f}")
        os.makedirs(ind)
        for di, doc in enumerate(docs):
            if fold_of[di] == f:
                os.symlink(os.path.join(DEV, doc["id"] + ".noisy.txt"),
                           os.path.join(ind, doc["id"] + ".noisy.txt"))
        for sh in shifts:
            mpath = os.path.join(tmp, f"model_{f}_{sh}.txt")
            export(clf, len(names), mpath, sh)
            subprocess.run([bin_, ind, outs[sh], "--model", mpath], check=True, capture_output=True)
        print(f"fold {f}: trained on {tr.sum()} units", file=sys.stderr)
    for sh in shifts:
        macro = [row for row in score(outs[sh]).splitlines() if row.startswith("macro")][0]
        print(f"threshold shift {sh:+.2f}: {macro}")
    print(f"== cross-validated (5 folds by page), shift {report:+.2f} ==")
    print(score(outs[report], ["--by", "noisy_style"]))
    print(score(outs[report], ["--by", "lang"]).split("by lang:")[1])
    shutil.rmtree(tmp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-cv", action="store_true")
    ap.add_argument("--cv-only", action="store_true")
    ap.add_argument("--shift", type=float, default=0.0,
                    help="decision threshold (log-odds) baked into the model")
    a = ap.parse_args()
    names, docs = dump_units()
    page_index = {d["id"]: i for i, d in enumerate(docs)}
    aug = augment(docs)
    X, y, w, g = build(docs + aug, page_index)
    print(f"{len(docs)} pages, {len(y)} units, {y.mean():.3f} body", file=sys.stderr)
    if not a.no_cv:
        shifts = tuple(sorted({-0.5, 0.0, a.shift}))
        cross_validate(names, docs, X, y, w, g, shifts=shifts, report=a.shift)
    if a.cv_only:
        return
    clf = fit(X, y, w)
    export(clf, len(names), MODEL_OUT, a.shift)
    check_export(clf, X, MODEL_OUT) if a.shift == 0 else None
    print(f"wrote {MODEL_OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
