"""sklearn converters, one module per estimator family (each registers itself)."""

MODULES = (
    "compose",
    "preprocessing",
    "encoders",
    "impute",
    "decomposition",
    "selection",
    "function",
    "linear",
    "trees",
    "ensembles",
    "hist_gradient_boosting",
    "svm",
    "neighbors",
    "naive_bayes",
    "cluster",
    "neural",
    "boosting_libs",
)
