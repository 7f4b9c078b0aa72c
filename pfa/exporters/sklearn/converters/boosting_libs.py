"""XGBoost and LightGBM converters (being written)."""
