"""Under CI a test that cannot run fails; on a developer's machine it is skipped with its reason
(the hook in tests/conftest.py), run in a pytest of its own."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

CANNOT_RUN = """
import pytest

def test_needs_a_browser():
    pytest.skip("Chromium not found at /nonexistent")

@pytest.mark.xfail(reason="a known bug", strict=True)
def test_known_bug():
    assert False
"""
HOOK = "from tests.conftest import pytest_runtest_makereport  # noqa: F401\n"


@pytest.fixture
def inner(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(HOOK)
    pytester.makepyfile(test_inner=CANNOT_RUN)
    return pytester


@pytest.mark.parametrize("ci", ["", "0", "false"])
def test_off_ci_a_test_that_cannot_run_is_skipped_with_its_reason(inner, monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    result = inner.runpytest("-rs", "-p", "no:django")
    result.assert_outcomes(skipped=1, xfailed=1)
    result.stdout.fnmatch_lines(["*SKIPPED*Chromium not found at /nonexistent*"])


@pytest.mark.parametrize("ci", ["true", "1", "yes"])
def test_under_ci_it_fails_with_the_reason(inner, monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    result = inner.runpytest("-p", "no:django")
    result.assert_outcomes(failed=1, xfailed=1)  # an expected failure stays one
    result.stdout.fnmatch_lines(["*CI=true: this test could not run*Chromium not found*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED
