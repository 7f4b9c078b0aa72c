"""``make demo``: train a pipeline, export it to PFA, check it, score it, compare with sklearn.

The data is sklearn's bundled diabetes dataset (no download). To exercise what real tables
have, two of its columns are turned into categories ("sex" → female/male, "age" → an age
band) and a few values are removed. The task: is disease progression above the median?
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

OUT_DIR = Path("build/demo")


def make_data(seed: int = 0):
    """The demo table: numeric and categorical columns with some missing values."""
    import pandas as pd
    from sklearn.datasets import load_diabetes

    raw = load_diabetes(as_frame=True, scaled=False)
    df = raw.frame.drop(columns=["target"]).copy()
    rng = np.random.default_rng(seed)
    df["sex"] = np.where(df["sex"] == 1, "female", "male").astype(object)
    df["age_band"] = pd.cut(df["age"], [0, 35, 50, 65, 120],
                            labels=["young", "adult", "middle", "senior"]).astype(object)
    df = df.drop(columns=["age"])
    for col, frac in (("bmi", 0.05), ("bp", 0.05), ("s5", 0.03)):
        df.loc[rng.random(len(df)) < frac, col] = np.nan
    df.loc[rng.random(len(df)) < 0.03, "sex"] = None
    y = np.where(raw.frame["target"] > raw.frame["target"].median(), "high", "low")
    return df, y


def build_pipeline(categorical: list[str], numeric: list[str]):
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OrdinalEncoder

    encode = ColumnTransformer([
        ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan),
         categorical),
        ("num", "passthrough", numeric),
    ])
    model = HistGradientBoostingClassifier(
        categorical_features=list(range(len(categorical))), max_iter=60, random_state=0)
    return Pipeline([("encode", encode), ("model", model)])


def main() -> int:
    from sklearn.model_selection import train_test_split

    from pfa import Engine
    from pfa.cli import main as pfa_cli
    from pfa.exporters.records import to_records
    from pfa.exporters.sklearn import export

    df, y = make_data()
    categorical = ["sex", "age_band"]
    numeric = [c for c in df.columns if c not in categorical]
    X_train, X_test, y_train, y_test = train_test_split(df, y, test_size=0.3, random_state=0)
    pipe = build_pipeline(categorical, numeric).fit(X_train, y_train)
    print(f"trained OrdinalEncoder + HistGradientBoostingClassifier on {len(X_train)} rows "
          f"({len(numeric)} numeric, {len(categorical)} categorical columns, with missing "
          f"values); test accuracy {(pipe.predict(X_test) == y_test).mean():.3f}")

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    import skops.io as sio

    fitted = OUT_DIR / "model.skops"
    sio.dump(pipe, fitted)
    path = OUT_DIR / "model.pfa"
    # skops refuses types it does not know; this file is our own, so we vouch for them.
    trust = [a for t in sio.get_untrusted_types(file=fitted) for a in ("--trust", t)]
    args = ["export", str(fitted), "-o", str(path), "--name", "diabetes_risk",
            "--no-timestamp", *trust]
    print("$ pfa " + " ".join(args))
    status = pfa_cli(args)
    if status != 0:
        return status
    # The CLI infers the column kinds from the fitted encoders; the API can also take them
    # from a sample of the training data (as `pfa export --sample` does). Which fields may be
    # null comes from the fitted pipeline in both cases, so the documents are equal — but for
    # the sample's profile (`metadata["training.profile"]`, what `pfa serve` measures drift
    # against), which only an export with a sample carries:
    doc = json.loads(json.dumps(export(pipe, name="diabetes_risk", sample=X_train,
                                       timestamp=False)))
    has_profile = doc["metadata"].pop("training.profile", None) is not None
    same_doc = has_profile and json.loads(path.read_text()) == doc
    print(f"exported {path.stat().st_size / 1024:.0f} KiB; the API export with a data sample "
          f"gives {'the same document (plus its training profile)' if same_doc else 'a DIFFERENT document'}")
    if not same_doc:
        return 1

    print(f"$ pfa check {path}")
    status = pfa_cli(["check", str(path)])
    if status != 0:
        return status

    t0 = time.perf_counter()
    engine = Engine.from_json(str(path))
    t_load = time.perf_counter() - t0
    records = to_records(json.loads(path.read_text()), X_test)
    t0 = time.perf_counter()
    outputs = [engine.action(r) for r in records]
    t_score = time.perf_counter() - t0

    labels = np.array([o["label"] for o in outputs], dtype=object)
    proba = np.array([o["probabilities"] for o in outputs])
    sk_labels = pipe.predict(X_test)
    sk_proba = pipe.predict_proba(X_test)
    same = int((labels == sk_labels).sum())
    max_diff = float(np.max(np.abs(proba - sk_proba)))
    print(f"scored {len(records)} test rows with the PFA engine "
          f"(load+check+compile {t_load * 1000:.0f} ms, "
          f"{t_score / len(records) * 1e6:.0f} µs per record)")
    print(f"labels equal to sklearn's predict:      {same}/{len(records)}")
    print(f"max |probability - sklearn predict_proba|: {max_diff:.3g}")
    ok = same == len(records) and max_diff <= 1e-9
    print("RESULT: " + ("the PFA document reproduces sklearn (labels equal, probabilities "
                        "within 1e-9)" if ok
                        else "MISMATCH between PFA and sklearn"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
