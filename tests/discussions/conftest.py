import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def no_fragments_left_behind():
    """The step pages' fragments are cached in process, keyed by facts that a later test's fresh
    plan can share (same id, same empty answers): leave none, so that tests counting renders
    (tests/plans/test_speed.py) start from an empty cache whatever ran before."""
    yield
    cache.clear()
