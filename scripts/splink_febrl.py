#!/usr/bin/env python3
"""Deduplicates a FEBRL CSV with Splink (DuckDB backend) and prints its
pairwise precision, recall, F1, wall time and peak memory as one JSON line.

Run by `cargo bench -p canvass-sync --bench febrl`, which runs canvass's
resolver on the same records first; needs `pip install splink`.

    python3 scripts/splink_febrl.py crates/canvass-sync/benches/data/febrl3.csv 0.99

The model is the one Splink's own FEBRL deduplication tutorial builds
(names, date of birth, address fields; blocking on pairs of fields; u from
random sampling, m by EM), minus `soc_sec_id`: organizing data has no
social security number, and canvass's side does not use it either.
"""

import json
import resource
import sys
import time
from collections import Counter

import pandas as pd


def pairs(n):
    return n * (n - 1) // 2


def main():
    path = sys.argv[1]
    threshold = float(sys.argv[2]) if len(sys.argv) > 2 else 0.99
    started = time.perf_counter()

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    df = pd.read_csv(path, dtype=str, skipinitialspace=True).fillna("")
    df.columns = [c.strip() for c in df.columns]
    df = df.rename(columns={"rec_id": "unique_id"})
    for col in df.columns:
        df[col] = df[col].str.strip().replace("", None)
    df["dob"] = df["date_of_birth"]
    df["street"] = (df["street_number"].fillna("") + " " + df["address_1"].fillna("")).str.strip()
    df = df.drop(columns=["soc_sec_id", "date_of_birth"])
    truth = df["unique_id"].str.extract(r"rec-(\d+)-")[0]

    db_api = DuckDBAPI()
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("surname", "dob"),
            block_on("given_name", "dob"),
            block_on("postcode", "given_name"),
            block_on("postcode", "surname"),
            block_on("dob", "postcode"),
            block_on("street", "postcode"),
        ],
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("street", [1, 2]),
            cl.DamerauLevenshteinAtThresholds("address_2", [1, 2]),
            cl.JaroWinklerAtThresholds("suburb", [0.9]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]),
            cl.ExactMatch("state"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(db_api.register(df), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "dob"), block_on("surname", "street", "postcode")],
        recall=0.6,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    ).as_pandas_dataframe()
    wall = time.perf_counter() - started

    cluster_of = dict(zip(clusters["unique_id"], clusters["cluster_id"]))
    predicted = [cluster_of.get(u, u) for u in df["unique_id"]]
    both = Counter(zip(predicted, truth))
    tp = sum(pairs(n) for n in both.values())
    pp = sum(pairs(n) for n in Counter(predicted).values())
    tt = sum(pairs(n) for n in Counter(truth).values())
    precision = tp / pp if pp else 1.0
    recall = tp / tt if tt else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(
        json.dumps(
            {
                "system": "splink",
                "version": __import__("splink").__version__,
                "records": len(df),
                "threshold": threshold,
                "precision": precision,
                "recall": recall,
                "f1": f1,
                "wall_seconds": wall,
                # ru_maxrss is in KiB on Linux.
                "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
