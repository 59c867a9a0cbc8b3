"""Every version of the worksheet as the step pages render it: each item, each list field and
each option of the definition a plan is pinned to reaches its step page, in the person's
language. The seed's 77 items are checked word for word elsewhere (tests/fidelity.py); this
checks what each definition file adds around them (version 3: targets, a partner's role, the
indicators' codes, section 6.3)."""

from __future__ import annotations

import html

import pytest

from jalon.plans.models import Plan
from jalon.worksheets.loading import get_definition
from jalon.worksheets.schema import Definition, Text

from ..conftest import client_for

WORKSHEET = "gerer-les-services-urbains"


def texts_of(definition: Definition, step_id: str) -> list[Text]:
    step = definition.step(step_id)
    assert step is not None
    found: list[Text] = []
    for section in step.sections:
        found += [section.title, section.instruction]
        for item in section.items:
            found += [item.label, *(o.label for o in item.leaf_options())]
            found += [level.label for level in item.levels]
            for field in item.fields:
                found += [field.label, *(o.label for o in field.options)]
    return found


@pytest.mark.parametrize("version", [2, 3])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_step_page_shows_every_part_of_its_definition(client, plan, people, version, language):
    definition = get_definition(WORKSHEET, version)
    Plan.objects.filter(pk=plan.pk).update(
        definition_version=version, definition_hash=definition.hash
    )
    client_for(client, people["editor"])
    client.cookies["django_language"] = language
    for step in definition.steps:
        page = html.unescape(client.get(f"/plans/{plan.pk}/steps/{step.id}/").content.decode())
        missing = [text.get(language) for text in texts_of(definition, step.id)]
        missing = [text for text in missing if text not in page]
        assert missing == [], f"step {step.id}, version {version}, {language}"


def test_version_3_adds_what_its_pages_show(client, plan, people):
    """The parts version 3 adds, each where a person meets it."""
    client_for(client, people["editor"])
    page = html.unescape(client.get(f"/plans/{plan.pk}/steps/6/").content.decode())
    for words in ("Mesures de suivi", "Fiabilité de la donnée", "Code de référence"):
        assert words in page
    page = html.unescape(client.get(f"/plans/{plan.pk}/steps/2/").content.decode())
    assert "Date cible" in page
