"""The demo's versions: a snapshot its team kept before the municipal council, then the work
done since (a text reworded, a target raised, a communication action added), so that comparing
the snapshot with the plan as it is now shows each kind of change.

Called once the demo plan is written (`demo_snapshot(plan, demo=…, colleague=…)`, from
`demo.load_demo`); it writes through the same services as a team's edits.
"""

from __future__ import annotations

from jalon.accounts.models import User
from jalon.organisations.models import Membership

from .models import Answer, Plan, PlanVersion, Record
from .review import snapshot_create
from .services import answer_save, record_add, record_update

SNAPSHOT_NAME = "Avant le conseil municipal du 12 mars"


def demo_snapshot(plan: Plan, *, demo: User, colleague: User) -> PlanVersion:
    """Keep the demo plan as it stands, as the demo user, then change it a little."""
    membership = Membership.objects.get(organisation=plan.organisation, user=demo)
    version = snapshot_create(plan=plan, membership=membership, name=SNAPSHOT_NAME)
    # The council asked for two more trucks and a higher recovery target.
    scale_up = Answer.objects.get(plan=plan, item_id="scale_up")
    answer_save(
        plan=plan,
        user=colleague,
        item_id="scale_up",
        raw=str(scale_up.value).replace("des 14 camions", "des 16 camions, dont 2 neufs,"),
        base_version=scale_up.version,
    )
    indicator = next(
        record
        for record in Record.objects.filter(plan=plan, item_id="indicators").order_by("position")
        if record.data.get("target_value") == "65"
    )
    record_update(
        plan=plan,
        user=demo,
        uid=indicator.uid,
        raw={**indicator.data, "target_value": "70"},
        base_version=indicator.version,
    )
    record_add(
        plan=plan,
        user=colleague,
        item_id="communication_actions",
        raw={
            "what": "Compte rendu du conseil municipal sur Kandia FM",
            "audience": "Habitants de la commune",
            "channel": "Radio communautaire Kandia FM",
            "when": "2027-03-15",
        },
    )
    return version
