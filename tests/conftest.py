"""Suite-wide test settings.

Hypothesis's per-example deadline is a wall-clock assertion, which the project does not make in
tests (a loaded 2-core CI machine would fail them at random); speed is measured in benches/.
"""

from hypothesis import HealthCheck, settings

# The shared local Spark session fixture `spark` (and its xdist group): tests/spark_session.py.
pytest_plugins = ["tests.spark_session"]

settings.register_profile("pfa", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("pfa")
