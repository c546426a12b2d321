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
from sklearn.ensemble import GradientBoostingClassifier

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEV = os.path.join(ROOT, "tests", "data", "cleanup-dev")
MODEL_OUT = os.path.join(ROOT, "src", "clean", "model.txt")
TOK = re.compile(r"\w+")
SEED = 0
PARAMS = dict(n_estimators=150, max_depth=4, learning_rate=0.1, subsample=0.8,
              min_samples_leaf=20, random_state=SEED)


def run(cmd, **kw):
    print("+", " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, cwd=ROOT, check=True, **kw)


def dump_units():
    run(["cargo", "build", "--release", "--examples", "-q"])
    out = subprocess.run([os.path.join(ROOT, "target", "release", "examples", "dump_units"), DEV],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    lines = out.splitlines()
    names = json.loads(lines[0])["features"]
    docs = [json.loads(l) for l in lines[1:]]
    return names, docs


def labels_for(doc):
    gold = TOK.findall(open(os.path.join(DEV, doc["id"] + ".gold.txt"), encoding="utf-8").read())
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


def build(docs):
    X, y, w, g = [], [], [], []
    for gi, doc in enumerate(docs):
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
    clf = GradientBoostingClassifier(**PARAMS)
    clf.fit(X, y, sample_weight=w * len(w) / w.sum())
    return clf


def export(clf, n_feat, path):
    lr = clf.learning_rate
    base = float(clf._raw_predict_init(np.zeros((1, n_feat), dtype=np.float32))[0, 0])
    out = [f"gbdt {n_feat} {len(clf.estimators_)} {base!r}"]
    for est in clf.estimators_[:, 0]:
        t = est.tree_
        out.append(f"tree {t.node_count}")
        for i in range(t.node_count):
            if t.children_left[i] == -1:
                out.append(f"-1 0 0 0 {float(t.value[i, 0, 0]) * lr:.6g}")
            else:
                out.append(f"{t.feature[i]} {float(t.threshold[i])!r} "
                           f"{t.children_left[i]} {t.children_right[i]} 0")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def score(pred_dir, extra=()):
    return subprocess.run([sys.executable, os.path.join(DEV, "score.py"), pred_dir, *extra],
                          check=True, capture_output=True, text=True).stdout


def cross_validate(names, docs, X, y, w, g, k=5):
    rng = np.random.RandomState(SEED)
    order = rng.permutation(len(docs))
    fold_of = np.empty(len(docs), dtype=int)
    fold_of[order] = np.arange(len(docs)) % k
    tmp = tempfile.mkdtemp(prefix="cleaner_cv_")
    outdir = os.path.join(tmp, "out")
    os.makedirs(outdir)
    bin_ = os.path.join(ROOT, "target", "release", "examples", "clean_dir")
    for f in range(k):
        tr = fold_of[g] != f
        clf = fit(X[tr], y[tr], w[tr])
        mpath = os.path.join(tmp, f"model_{f}.txt")
        export(clf, len(names), mpath)
        ind = os.path.join(tmp, f"in_{f}")
        os.makedirs(ind)
        for di, doc in enumerate(docs):
            if fold_of[di] == f:
                os.symlink(os.path.join(DEV, doc["id"] + ".noisy.txt"),
                           os.path.join(ind, doc["id"] + ".noisy.txt"))
        subprocess.run([bin_, ind, outdir, "--model", mpath], check=True, capture_output=True)
        print(f"fold {f}: trained on {tr.sum()} units", file=sys.stderr)
    print("== cross-validated (5 folds by page) ==")
    print(score(outdir, ["--by", "noisy_style"]))
    print(score(outdir, ["--by", "lang"]).split("by lang:")[1])
    shutil.rmtree(tmp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-cv", action="store_true")
    ap.add_argument("--cv-only", action="store_true")
    a = ap.parse_args()
    names, docs = dump_units()
    X, y, w, g = build(docs)
    print(f"{len(docs)} pages, {len(y)} units, {y.mean():.3f} body", file=sys.stderr)
    if not a.no_cv:
        cross_validate(names, docs, X, y, w, g)
    if a.cv_only:
        return
    clf = fit(X, y, w)
    export(clf, len(names), MODEL_OUT)
    imp = sorted(zip(clf.feature_importances_, names), reverse=True)
    print("top features:", ", ".join(f"{n} {v:.3f}" for v, n in imp[:15]), file=sys.stderr)
    print(f"wrote {MODEL_OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
