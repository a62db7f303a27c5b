#!/usr/bin/env python3
"""Benchmark peer only (never a product dependency): what a data scientist would write with pandas and
scikit-learn to get roughly what `cxpulse run` computes, so `npm run bench` can print the ratio side by side.

usage: peer_pandas_sklearn.py DATA_DIR [--as-of YYYY-MM-DD] [--trees 500] [--jobs 2]

DATA_DIR is a folder made by `npm run samples -- --format csv` (any --variant): its cxpulse.config.json says
where each source is, which of its columns is which, and the timestamp format, so the peer reads foreign
exports the same way cxpulse does. Steps, timed one by one and printed as one JSON object:
  load      the four CSV sources, columns renamed, timestamps parsed
  rfm       recency / frequency / monetary from completed orders up to the as-of, quintile scores 1-5
  daily     per day: NPS, CSAT share, CES mean by survey type; first response median, SLA share, resolution
            share, first-contact resolution, complaints by channel
  churn     features at a cutoff 90 days before the as-of, label = no completed order in the 90 days after,
            a RandomForestClassifier (500 trees), then every customer scored at the as-of
It does less than cxpulse (no data tests, no intervals, no drivers, no value model, no exports, no triggers).
"""
import argparse
import glob
import json
import os
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

CANONICAL_TS = {"signup_at", "ordered_at", "opened_at", "first_response_at", "resolved_at", "submitted_at"}


def load_source(data_dir, spec):
    files = sorted(glob.glob(os.path.join(data_dir, spec["path"])))
    rename = {v: k for k, v in spec.get("columns", {}).items()}
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False, na_values=[""]) for f in files]
    df = pd.concat(frames, ignore_index=True).rename(columns=rename)
    fmt = spec.get("timestampFormat")
    for c in df.columns:
        if c in CANONICAL_TS:
            df[c] = pd.to_datetime(df[c], format=fmt if fmt else "%Y-%m-%d %H:%M:%S", errors="coerce")
    return df


def churn_features(customers, orders, contacts, surveys, cutoff):
    o = orders[orders.ordered_at <= cutoff]
    g = o.groupby("customer_id")
    f = pd.DataFrame({
        "recency_days": (cutoff - g.ordered_at.max()).dt.days,
        "frequency": g.size(),
        "monetary": g.amount.sum(),
        "mean_gap_days": g.ordered_at.agg(lambda s: s.sort_values().diff().dt.days.mean()),
    })
    c = contacts[contacts.opened_at <= cutoff]
    cg = c.groupby("customer_id")
    f["count_contacts"] = cg.size()
    f["count_complaints"] = c[c.kind == "complaint"].groupby("customer_id").size()
    unresolved = c[(c.kind == "complaint") & (c.resolved_at.isna() | (c.resolved_at > cutoff))]
    f["count_unresolved"] = unresolved.groupby("customer_id").size()
    resp = (c.first_response_at - c.opened_at).dt.total_seconds() / 60
    f["median_first_response_min"] = resp.groupby(c.customer_id).median()
    s = surveys[(surveys.submitted_at <= cutoff) & (surveys.survey_type == "nps")].sort_values("submitted_at")
    f["last_nps"] = s.groupby("customer_id").score.last()
    cust = customers.set_index("customer_id")
    f = f.reindex(cust.index)
    f["tenure_days"] = (cutoff - cust.signup_at).dt.days
    return f.fillna(-1e9)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir")
    ap.add_argument("--as-of")
    ap.add_argument("--trees", type=int, default=500)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    with open(os.path.join(a.data_dir, "cxpulse.config.json")) as fh:
        sources = json.load(fh)["sources"]
    times = {}

    t = time.perf_counter()
    customers = load_source(a.data_dir, sources["customers"])
    purchases = load_source(a.data_dir, sources["purchases"])
    contacts = load_source(a.data_dir, sources["interactions"])
    surveys = load_source(a.data_dir, sources["surveys"])
    purchases["amount"] = pd.to_numeric(purchases.amount, errors="coerce")
    surveys["score"] = pd.to_numeric(surveys.score, errors="coerce")
    times["load"] = time.perf_counter() - t

    as_of = pd.Timestamp(a.as_of) if a.as_of else max(purchases.ordered_at.max(), contacts.opened_at.max(), surveys.submitted_at.max()).normalize()
    end = as_of + pd.Timedelta(days=1)
    orders = purchases[purchases.status == "completed"]

    t = time.perf_counter()
    o = orders[orders.ordered_at < end]
    g = o.groupby("customer_id")
    rfm = pd.DataFrame({"recency": (end - g.ordered_at.max()).dt.days, "frequency": g.size(), "monetary": g.amount.sum()})
    rfm["r"] = pd.qcut(-rfm.recency.rank(method="first"), 5, labels=False) + 1
    rfm["f"] = pd.qcut(rfm.frequency.rank(method="first"), 5, labels=False) + 1
    rfm["m"] = pd.qcut(rfm.monetary.rank(method="first"), 5, labels=False) + 1
    times["rfm"] = time.perf_counter() - t

    t = time.perf_counter()
    s = surveys[surveys.submitted_at < end].copy()
    s["day"] = s.submitted_at.dt.date
    nps = s[s.survey_type == "nps"].groupby("day").score.agg(lambda x: 100 * ((x >= 9).mean() - (x <= 6).mean()))
    csat = s[s.survey_type == "csat"].groupby("day").score.agg(lambda x: (x >= 4).mean())
    ces = s[s.survey_type == "ces"].groupby("day").score.mean()
    c = contacts[contacts.opened_at < end].copy()
    c["day"] = c.opened_at.dt.date
    c["first_response_min"] = (c.first_response_at - c.opened_at).dt.total_seconds() / 60
    c["sla_met"] = c.first_response_min <= np.where(c.channel.isin(["chat", "phone"]), 15, 1440)
    c["resolved_24h"] = (c.resolved_at - c.opened_at).dt.total_seconds() <= 86400
    c["fcr"] = c.is_first_contact_resolution.str.lower().isin(["true", "1", "yes"])
    c["complaint"] = c.kind == "complaint"
    service = c.groupby(["day", "channel"]).agg(
        contacts=("interaction_id", "size"), first_response_median=("first_response_min", "median"),
        sla_share=("sla_met", "mean"), resolved_share=("resolved_24h", "mean"), fcr_share=("fcr", "mean"),
        complaints=("complaint", "sum"))
    daily_rows = len(nps) + len(csat) + len(ces) + len(service)
    times["daily"] = time.perf_counter() - t

    t = time.perf_counter()
    cutoff = end - pd.Timedelta(days=90)
    x_train = churn_features(customers, orders, contacts, surveys, cutoff)
    later = orders[(orders.ordered_at >= cutoff) & (orders.ordered_at < end)].customer_id.unique()
    bought_before = orders[orders.ordered_at < cutoff].customer_id.unique()
    x_train = x_train[x_train.index.isin(bought_before)]
    y = ~x_train.index.isin(later)
    model = RandomForestClassifier(n_estimators=a.trees, min_samples_leaf=5, n_jobs=a.jobs, random_state=0)
    model.fit(x_train.to_numpy(), y)
    x_now = churn_features(customers, orders, contacts, surveys, end)
    risk = model.predict_proba(x_now.to_numpy())[:, 1]
    times["churn"] = time.perf_counter() - t

    print(json.dumps({
        "seconds": {k: round(v, 3) for k, v in times.items()},
        "total_seconds": round(sum(times.values()), 3),
        "rows": {"customers": len(customers), "purchases": len(purchases), "interactions": len(contacts), "surveys": len(surveys)},
        "rfm_customers": len(rfm), "daily_rows": int(daily_rows), "churn_train_rows": int(len(x_train)),
        "churn_scored": int(len(risk)), "as_of": str(as_of.date()),
    }))


if __name__ == "__main__":
    main()
