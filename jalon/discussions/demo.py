"""The demo's conversations: a few comment threads in the demo plan, as a team would leave them.

Added when plans' `load_demo` says it wrote the demo plan (`demo_loaded`), so that plans does
not import this room (GUIDE §4)."""

from __future__ import annotations

from typing import Any

from jalon.accounts.models import User
from jalon.plans.models import Plan, Record

from .services import comment_reply, thread_resolve, thread_start


def add_demo_comments(
    sender: Any, *, plan: Plan, demo: User, colleague: User, **kwargs: Any
) -> None:
    question = thread_start(
        plan=plan,
        user=colleague,
        item_id="competences",
        body=(
            "@Awa Demba, la collecte des déchets des marchés relève-t-elle encore du ministère ? "
            "Il faudrait vérifier le décret de transfert avant de l’écrire ainsi."
        ),
    )
    comment_reply(
        thread=question.thread,
        user=demo,
        body=(
            "D’après le service juridique, la compétence a été transférée à la commune en 2022. "
            "Je demande la référence exacte du décret et je complète la réponse."
        ),
    )
    thread_start(
        plan=plan,
        user=demo,
        item_id="actor_types",
        option="startups_small_operators",
        body=(
            "Les GIE de pré-collecte entrent-ils ici ? La plupart n’ont qu’un téléphone simple. "
            "À revoir avec @Moussa Diallo à la prochaine réunion d’équipe."
        ),
    )
    action = Record.objects.filter(plan=plan, item_id="pilot_actions").order_by("position").first()
    if action is not None:
        budget = thread_start(
            plan=plan,
            user=colleague,
            item_id="pilot_actions",
            record_uid=action.uid,
            body=(
                "Le budget de cette action test comprend-il la formation des collecteurs ? "
                "Sinon, il faut prévoir une ligne à part."
            ),
        )
        comment_reply(
            thread=budget.thread,
            user=demo,
            body="Oui : deux journées de formation sont comptées dans le poste « équipe ».",
        )
        thread_resolve(thread=budget.thread, user=colleague)
