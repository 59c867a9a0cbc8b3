"""The demo's snapshot and the changes made since: comparing them shows one answer reworded, one
target raised and one communication action added, and nothing else."""

from __future__ import annotations

import gzip

from jalon.accounts.models import User
from jalon.plans.compare import Counts, Mark, compare
from jalon.plans.demo import COLLEAGUE, DEMO_USER, load_demo
from jalon.plans.demo_versions import SNAPSHOT_NAME, demo_snapshot
from jalon.plans.models import Plan
from jalon.plans.review import plan_content
from jalon.plans.services import definition_of

from ..conftest import client_for


def test_the_demo_snapshot_compared_with_now_shows_the_three_changes_since(db):
    plan = load_demo()
    demo, colleague = (User.objects.get(email=p["email"]) for p in (DEMO_USER, COLLEAGUE))
    version = demo_snapshot(plan, demo=demo, colleague=colleague)
    plan = Plan.objects.get(pk=plan.pk)
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
    demo, colleague = (User.objects.get(email=p["email"]) for p in (DEMO_USER, COLLEAGUE))
    version = demo_snapshot(plan, demo=demo, colleague=colleague)
    client_for(client, demo)
    page = client.get(f"/plans/{plan.pk}/versions/compare/?from={version.pk}&to=now")
    assert page.status_code == 200
    assert len(gzip.compress(page.content)) < 8_000  # the page's HTML; its CSS is shared
