"""Templates are read without their indentation (jalon/template_loader.py): the pages lose the
spaces, never a person's text, and stay translated."""

from __future__ import annotations

import re

from jalon.plans.services import answer_save

from .conftest import client_for


def test_pages_carry_no_template_indentation_but_keep_what_people_typed(client, plan, people):
    typed = "Première ligne\n        deuxième ligne, en retrait"
    answer_save(
        plan=plan, user=people["editor"], item_id="competences", raw=typed, base_version=None
    )
    client_for(client, people["editor"])
    page = client.get(f"/plans/{plan.pk}/steps/2/").content.decode()
    assert "deuxième ligne, en retrait" in page
    assert "Première ligne\n        deuxième ligne" in page  # the textarea keeps the spaces
    indented = [line for line in page.split("\n") if re.match(r"[ \t]+<", line)]
    assert indented == []
    assert "Enregistrer" in page and "Étape" in page  # still in French
