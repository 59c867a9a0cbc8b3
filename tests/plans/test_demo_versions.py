"""The demo's snapshot and the changes made since: comparing them shows one answer reworded, one
target raised and one communication action added, and nothing else."""

from __future__ import annotations

import gzip

from jalon.accounts.models import User
from jalon.plans.compare import Counts, Mark, compare
from jalon.plans.demo import DEMO_USER, load_demo
from jalon.plans.demo_versions import SNAPSHOT_NAME
from jalon.plans.models import Plan, PlanVersion
from jalon.plans.review import plan_content
from jalon.plans.services import definition_of

from ..conftest import client_for


def demo_version(plan: Plan) -> PlanVersion:
    """The snapshot `load_demo` keeps before making its last changes."""
    return PlanVersion.objects.get(plan=plan, kind=PlanVersion.Kind.SNAPSHOT)


def test_the_demo_snapshot_compared_with_now_shows_the_three_changes_since(db):
    plan = load_demo()
    version = demo_version(plan)
    assert version.name == SNAPSHOT_NAME and plan.review_state == "draft"
    definition = definition_of(plan)
    comparison = compare(definition, version.content, definition, plan_content(plan))
    assert comparison.counts == Counts(answers=1, added=1, changed=1)
    changes = [i for s in comparison.steps for c in s.sections for i in c.items]
    scale_up, indicators, communication = changes
    assert (Mark.INSERTED, "16") in scale_up.answer[0].words
    (target,) = indicators.records[0].fields
    assert (target.before, target.after) == ("65", "70")
    assert communication.records[0].title.startswith("Compte rendu du conseil")
    assert ("Date", "", "15/03/2027") in [(f.label, f.before, f.after) for f in
                                          communication.records[0].fields]  # fmt: skip


def test_the_demo_comparison_page_is_light(client, db):
    plan = load_demo()
    version = demo_version(plan)
    client_for(client, User.objects.get(email=DEMO_USER["email"]))
    page = client.get(f"/plans/{plan.pk}/versions/compare/?from={version.pk}&to=now")
    assert page.status_code == 200
    assert len(gzip.compress(page.content)) < 8_000  # the page's HTML; its CSS is shared
