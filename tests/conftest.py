"""Suite-wide test settings.

Hypothesis's per-example deadline is a wall-clock assertion, which the project does not make in
tests (a loaded 2-core CI machine would fail them at random); speed is measured in benches/.
"""

from hypothesis import HealthCheck, settings

settings.register_profile("pfa", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("pfa")
