import pytest

from jalon.field import evidence


@pytest.fixture
def stored_responses(monkeypatch):
    """What the operators' import hands to `store_responses` (which still stores them)."""
    calls = []
    real = evidence.store_responses

    def recording(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(evidence, "store_responses", recording)
    return calls
