#!/usr/bin/env python3
"""Benchmark baseline only (never a product dependency): scikit-learn RandomForestClassifier on the
churn features exported by bench/churn.ts, to compare out-of-time ROC AUC with the TypeScript learner.

usage: churn_sklearn_baseline.py TRAIN.csv TEST.csv [--trees 500] [--min-samples-leaf 5] [--jobs 2]
Prints one JSON object: roc_auc, fit_seconds, rows. Missing values become -1e9 (scikit-learn 1.2's
forest has no NaN support); the TypeScript forest puts them in a bin below every value, the same order.
"""
import argparse
import json
import time

import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("--trees", type=int, default=500)
    ap.add_argument("--min-samples-leaf", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    train = pd.read_csv(a.train)
    test = pd.read_csv(a.test)
    features = [c for c in train.columns if c != "is_churned"]
    xtr = train[features].fillna(-1e9).to_numpy()
    xte = test[features].fillna(-1e9).to_numpy()
    rf = RandomForestClassifier(
        n_estimators=a.trees, min_samples_leaf=a.min_samples_leaf, n_jobs=a.jobs, random_state=a.seed
    )
    t0 = time.perf_counter()
    rf.fit(xtr, train["is_churned"].to_numpy())
    fit_s = time.perf_counter() - t0
    p = rf.predict_proba(xte)[:, 1]
    print(json.dumps({
        "roc_auc": roc_auc_score(test["is_churned"].to_numpy(), p),
        "fit_seconds": fit_s,
        "rows": len(train),
        "test_rows": len(test),
        "trees": a.trees,
        "min_samples_leaf": a.min_samples_leaf,
        "max_features": "sqrt",
    }))


if __name__ == "__main__":
    main()
