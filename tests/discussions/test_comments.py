"""Comments on items, options and records: the services and their refusals, who may do what,
the counts on the step page, the open threads page, the history, the print view and the
deliverables, and hostile text."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from jalon.discussions import services
from jalon.discussions.models import Comment, Thread
from jalon.discussions.selectors import comment_counts
from jalon.discussions.signals import comment_posted
from jalon.plans.services import answer_save, record_add

from ..conftest import client_for, make_user
from ..e2e.test_xss import CORPUS

IN_PLACE = {"HTTP_X_JALON_COMMENTS": "1"}


@pytest.fixture
def commenter(client, people):
    return client_for(client, people["commenter"])


def start(plan, user, body="Une question ?", item_id="competences", **more):
    return services.thread_start(plan=plan, user=user, item_id=item_id, body=body, **more)


# The services


def test_a_thread_starts_with_its_first_comment_on_an_item_option_or_record(plan, people):
    comment = start(plan, people["commenter"], item_id="orientation", option="inclusion")
    assert comment.thread.item_id == "orientation" and comment.thread.option == "inclusion"
    assert comment.author == people["commenter"] and comment.thread.is_open
    action = record_add(
        plan=plan, user=people["editor"], item_id="pilot_actions", raw={"title": "Tri"}
    )
    on_record = start(plan, people["editor"], item_id="pilot_actions", record_uid=action.uid)
    assert on_record.thread.record_uid == action.uid
    family = start(plan, people["owner"], item_id="actor_types", option="local_authorities")
    assert family.thread.option == "local_authorities"


@pytest.mark.parametrize(
    ("more", "expected"),
    [
        ({"item_id": "nowhere"}, "fiche de travail n’a pas d’élément 'nowhere'"),
        ({"item_id": "orientation", "option": "nothing"}, "n’a pas d’option 'nothing'"),
        ({"item_id": "maturity_data", "option": "2"}, "n’a pas d’option '2'"),
        (
            {"item_id": "pilot_actions", "record_uid": "missing"},
            "liste n’a pas d’élément 'missing'",
        ),
        ({"body": "   "}, "Écrivez le commentaire"),
        ({"body": "x" * 4001}, "au plus 4000 caractères"),
        ({"body": "collé\x1bici"}, r"Le commentaire contient .* U\+001B"),
    ],
)
def test_a_thread_is_refused_with_a_clear_reason(plan, people, more, expected):
    with pytest.raises(services.CommentError, match=expected):
        start(plan, people["commenter"], **more)
    assert not Thread.objects.exists() and not Comment.objects.exists()


def test_a_record_of_another_item_or_plan_is_refused(plan, other_plan, people):
    actor = record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": "ONG"})
    with pytest.raises(services.CommentError):
        start(plan, people["owner"], item_id="pilot_actions", record_uid=actor.uid)
    theirs = record_add(
        plan=other_plan, user=people["outsider"], item_id="actors", raw={"name": "X"}
    )
    with pytest.raises(services.CommentError):
        start(plan, people["owner"], item_id="actors", record_uid=theirs.uid)


def test_replies_follow_and_a_resolved_thread_takes_none_until_reopened(plan, people):
    first = start(plan, people["commenter"])
    reply = services.comment_reply(thread=first.thread, user=people["editor"], body="Oui.")
    assert list(first.thread.comments.all()) == [first, reply]
    services.thread_resolve(thread=first.thread, user=people["editor"])
    first.thread.refresh_from_db()
    assert first.thread.resolved_by == people["editor"] and not first.thread.is_open
    with pytest.raises(services.CommentError, match="rouvrez-la"):
        services.comment_reply(thread=first.thread, user=people["owner"], body="Et ?")
    services.thread_reopen(thread=first.thread, user=people["commenter"])
    first.thread.refresh_from_db()
    assert first.thread.is_open and first.thread.resolved_by is None
    services.comment_reply(thread=first.thread, user=people["owner"], body="Et ?")
    assert first.thread.comments.count() == 3


def test_only_its_author_edits_or_deletes_a_comment_owners_included(plan, people):
    comment = start(plan, people["commenter"], body="Premier jet")
    for other in ("editor", "owner"):
        with pytest.raises(PermissionDenied):
            services.comment_edit(comment=comment, user=people[other], body="Autre")
        with pytest.raises(PermissionDenied):
            services.comment_delete(comment=comment, user=people[other])
    services.comment_edit(comment=comment, user=people["commenter"], body="Second jet")
    comment.refresh_from_db()
    assert comment.body == "Second jet" and comment.edited_at is not None
    services.comment_delete(comment=comment, user=people["commenter"])
    comment.refresh_from_db()
    assert comment.deleted and comment.body == ""
    with pytest.raises(services.CommentError):
        services.comment_edit(comment=comment, user=people["commenter"], body="Retour")


def test_a_deleted_comment_with_replies_reads_comment_deleted_and_alone_goes(client, plan, people):
    first = start(plan, people["commenter"], body="Texte qui partira")
    services.comment_reply(thread=first.thread, user=people["editor"], body="Réponse qui reste")
    services.comment_delete(comment=first, user=people["commenter"])
    page = client_for(client, people["viewer"]).get(f"/plans/{plan.pk}/steps/2/").content.decode()
    assert "Commentaire supprimé" in page and "Réponse qui reste" in page
    assert "Texte qui partira" not in page
    alone = start(plan, people["commenter"], item_id="informal_place", body="Seul")
    services.comment_delete(comment=alone, user=people["commenter"])
    alone.thread.refresh_from_db()
    assert alone.thread.withdrawn
    assert comment_counts(plan).by_item == {"competences": 1, "informal_place": 0}


def test_mentions_resolve_to_members_by_name_or_address_whatever_the_case(plan, people):
    stranger = make_user("stranger")  # not a member of the municipality
    comment = start(
        plan,
        people["commenter"],
        body="@editor, vu avec @OWNER@EXAMPLE.ORG ? Et @Stranger, @nobody.",
    )
    assert set(comment.mentions.all()) == {people["editor"], people["owner"]}
    assert stranger not in comment.mentions.all()
    services.comment_edit(comment=comment, user=people["commenter"], body="Plus que @Viewer.")
    assert list(comment.mentions.all()) == [people["viewer"]]


def test_a_first_name_mentions_the_one_member_who_has_it(client, plan, people):
    for user, name in ((people["editor"], "Awa Demba"), (people["viewer"], "Moussa Diallo"),
                       (people["owner"], "Moussa Sy")):  # fmt: skip
        user.name = name
        user.save()
    comment = start(plan, people["commenter"], body="@awa, voyez avec @Moussa Sy.")
    # « @awa »: the only Awa; the full name: that Moussa.
    assert set(comment.mentions.all()) == {people["editor"], people["owner"]}
    page = client_for(client, people["owner"]).get(f"/plans/{plan.pk}/steps/2/").content.decode()
    assert '<strong class="mention">@Awa Demba</strong>, voyez avec' in page
    assert '<strong class="mention">@Moussa Sy</strong>.' in page
    # « @Moussa » alone: two members have that first name, so it names nobody.
    ambiguous = start(plan, people["commenter"], item_id="orientation", body="@Moussa ?")
    assert not ambiguous.mentions.exists()


def test_a_mention_shows_highlighted_and_its_text_escaped(client, plan, people):
    start(plan, people["commenter"], body="<b>@editor</b> regarde")
    page = client_for(client, people["owner"]).get(f"/plans/{plan.pk}/steps/2/").content.decode()
    assert '&lt;b&gt;<strong class="mention">@Editor</strong>&lt;/b&gt; regarde' in page


def test_a_posted_comment_is_announced_on_commit_with_whom_it_names(
    plan, people, django_capture_on_commit_callbacks
):
    heard = []

    def listener(sender, comment, mentioned, **kwargs):
        heard.append((comment.body, mentioned))

    comment_posted.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            start(plan, people["commenter"], body="Pour @Editor")
        assert heard == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        comment_posted.disconnect(listener)
    assert heard == [("Pour @Editor", [people["editor"]])]


def test_a_threads_followers_are_its_authors_the_named_and_the_last_writer(plan, people):
    answer_save(plan=plan, user=people["owner"], item_id="competences", raw="X", base_version=0)
    first = start(plan, people["commenter"], body="@Viewer, une idée ?")
    services.comment_reply(thread=first.thread, user=people["editor"], body="Oui")
    assert services.thread_followers(first.thread) == {
        people["commenter"],
        people["editor"],
        people["viewer"],
        people["owner"],
    }
    action = record_add(
        plan=plan, user=people["editor"], item_id="pilot_actions", raw={"title": "Tri"}
    )
    on_record = start(plan, people["commenter"], item_id="pilot_actions", record_uid=action.uid)
    assert services.thread_followers(on_record.thread) == {people["commenter"], people["editor"]}


# Pages


def test_a_commenter_posts_without_javascript_and_comes_back_to_the_item(commenter, plan):
    response = commenter.post(
        f"/plans/{plan.pk}/comments/new/", {"item": "competences", "body": "À vérifier"}
    )
    assert response.status_code == 302
    # At the comment itself: a browser opens the folded comments around the target it goes to.
    posted = Comment.objects.get(body="À vérifier")
    assert response["Location"] == f"/plans/{plan.pk}/steps/2/#comment-{posted.pk}"
    page = commenter.get(response["Location"]).content.decode()
    assert "Commentaire publié." in page and "À vérifier" in page
    assert f'id="comment-{posted.pk}"' in page
    assert "Commentaires (1)" in page


def test_with_javascript_the_answer_is_the_items_comment_block(commenter, plan, people):
    action = record_add(
        plan=plan, user=people["editor"], item_id="pilot_actions", raw={"title": "Tri"}
    )
    response = commenter.post(
        f"/plans/{plan.pk}/comments/new/",
        {"item": "pilot_actions", "record": action.uid, "body": "Quel budget ?"},
        **IN_PLACE,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith('<details class="comments" open>')
    assert f'name="record" value="{action.uid}"' in html
    assert "Quel budget ?" in html and "Commentaires (1)" in html
    refused = commenter.post(
        f"/plans/{plan.pk}/comments/new/", {"item": "nowhere", "body": "x"}, **IN_PLACE
    )
    assert refused.status_code == 400 and "nowhere" in refused.json()["error"]


def test_a_refused_comment_without_javascript_is_a_page_saying_why(commenter, plan):
    response = commenter.post(
        f"/plans/{plan.pk}/comments/new/", {"item": "competences", "body": "a\x1bb"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "U+001B" in page and "Le commentaire" in page and "caractère" in page


def test_an_editor_replies_and_resolves_from_the_step_page(client, plan, people):
    comment = start(plan, people["commenter"])
    editor = client_for(client, people["editor"])
    thread = comment.thread
    reply = editor.post(f"/plans/{plan.pk}/threads/{thread.pk}/reply/", {"body": "Fait."})
    assert reply.status_code == 302
    assert reply["Location"].endswith(f"#comment-{thread.comments.last().pk}")
    resolved = editor.post(f"/plans/{plan.pk}/threads/{thread.pk}/resolve/")
    assert resolved.status_code == 302
    page = editor.get(f"/plans/{plan.pk}/steps/2/").content.decode()
    assert "Conversation résolue." in page and "Fait." not in page
    assert "Commentaires (0)" in page


def test_the_author_edits_and_deletes_from_the_edit_page(commenter, plan, people):
    comment = start(plan, people["commenter"], body="Premier")
    url = f"/plans/{plan.pk}/comments/{comment.pk}/edit/"
    assert "Premier" in commenter.get(url).content.decode()
    refused = commenter.post(url, {"body": "a\x00b"})
    assert refused.status_code == 400 and "U+0000" in refused.content.decode()
    assert commenter.post(url, {"body": "Deuxième"}).status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Deuxième"
    step = commenter.get(f"/plans/{plan.pk}/steps/2/").content.decode()
    assert "Modifier ou supprimer" in step and "modifié" in step
    owner = client_for(Client(), people["owner"])
    refused = owner.post(url, {"body": "Réécrit par un autre"})
    assert refused.status_code == 403
    assert "Seul son auteur peut modifier ou supprimer un commentaire." in refused.content.decode()
    other = Client()
    client_for(other, people["editor"])
    assert "Modifier ou supprimer" not in other.get(f"/plans/{plan.pk}/steps/2/").content.decode()
    deleted = commenter.post(f"/plans/{plan.pk}/comments/{comment.pk}/delete/")
    assert deleted.status_code == 302
    assert "Deuxième" not in commenter.get(f"/plans/{plan.pk}/steps/2/").content.decode()


def test_a_viewer_reads_comments_but_has_no_form_and_gets_403_posting(client, plan, people):
    start(plan, people["commenter"], body="Lisible par tous")
    viewer = client_for(client, people["viewer"])
    page = viewer.get(f"/plans/{plan.pk}/steps/2/").content.decode()
    assert "Lisible par tous" in page
    assert f"/plans/{plan.pk}/comments/new/" not in page and 'id="comments-text"' not in page
    response = viewer.post(
        f"/plans/{plan.pk}/comments/new/", {"item": "competences", "body": "Moi aussi"}
    )
    assert response.status_code == 403
    assert "Votre rôle" in response.content.decode()
    assert Comment.objects.count() == 1


def test_an_outsider_gets_404_for_the_plans_comments(client, plan, people):
    comment = start(plan, people["commenter"])
    outsider = client_for(client, people["outsider"])
    assert outsider.get(f"/plans/{plan.pk}/comments/").status_code == 404
    url = f"/plans/{plan.pk}/threads/{comment.thread_id}/reply/"
    assert outsider.post(url, {"body": "x"}).status_code == 404


def test_a_thread_of_another_plan_is_not_found(client, plan, other_plan, people):
    theirs = start(other_plan, people["outsider"], item_id="orientation")
    owner = client_for(client, people["owner"])
    url = f"/plans/{plan.pk}/threads/{theirs.thread_id}/reply/"
    assert owner.post(url, {"body": "x"}).status_code == 404
    assert owner.get(f"/plans/{plan.pk}/comments/{theirs.pk}/edit/").status_code == 404


def test_counts_show_on_each_item_section_and_step(client, plan, people):
    start(plan, people["commenter"], item_id="competences")
    start(plan, people["commenter"], item_id="competences", body="Deuxième")
    start(plan, people["commenter"], item_id="maturity_data")
    resolved = start(plan, people["commenter"], item_id="informal_place")
    services.thread_resolve(thread=resolved.thread, user=people["owner"])
    action = record_add(
        plan=plan, user=people["editor"], item_id="pilot_actions", raw={"title": "Tri"}
    )
    start(plan, people["commenter"], item_id="pilot_actions", record_uid=action.uid)
    owner = client_for(client, people["owner"])
    page = owner.get(f"/plans/{plan.pk}/steps/2/").content.decode()
    item = page.split('id="item-competences"')[1].split('class="item')[0]
    assert "Commentaires (2)" in item
    assert "Commentaires (1)" in page.split('id="item-maturity_data"')[1]
    assert "Commentaires (0)" in page.split('id="item-informal_place"')[1]  # resolved: not counted
    sections = {
        s.split('"')[0]: s.split("</summary>")[0]
        for s in page.split('<details class="section" id="section-')[1:]
    }
    assert "2 commentaires" in sections["2.1"] and "1 commentaire" in sections["2.2"]
    stepper = page.split('class="stepper"')[1].split("</nav>")[0]
    step_two = stepper.split("/steps/2/")[1].split("</li>")[0]
    step_four = stepper.split("/steps/4/")[1].split("</li>")[0]
    assert "3 commentaires" in step_two and "1 commentaire" in step_four
    assert "4 commentaires ouverts dans le plan" in page
    step_four_page = owner.get(f"/plans/{plan.pk}/steps/4/").content.decode()
    card = step_four_page.split(f'id="record-{action.uid}"')[1].split("</li>")[0]
    assert "Commentaires (1)" in card


def queries_for_step_two(client, plan, people, version):
    """The queries of step 2 right after a save of « competences », which has threads."""
    owner = client_for(client, people["owner"])
    url = f"/plans/{plan.pk}/steps/2/"
    owner.get(url)
    answer_save(
        plan=plan,
        user=people["editor"],
        item_id="competences",
        raw=f"v{version}",
        base_version=version,
    )
    with CaptureQueriesContext(connection) as queries:
        assert f"v{version}</textarea>" in owner.get(url).content.decode()
    warm = CaptureQueriesContext(connection)
    with warm:
        owner.get(url)
    return len(queries), len(warm)


def test_a_step_page_reads_comments_in_queries_that_do_not_grow_with_them(client, plan, people):
    start(plan, people["commenter"], body="Un")
    one_thread = queries_for_step_two(client, plan, people, 0)
    for n in range(5):
        start(plan, people["commenter"], body=f"N° {n}", item_id="competences")
        start(plan, people["commenter"], body=f"N° {n}", item_id="maturity_uses")
    assert queries_for_step_two(client, plan, people, 1) == one_thread
    # Unchanged: the counts (one query) besides what a page without comments costs.
    assert one_thread[1] <= 5


def test_the_step_page_etag_changes_with_comments_and_stays_for_a_repeat(client, plan, people):
    owner = client_for(client, people["owner"])
    url = f"/plans/{plan.pk}/steps/2/"
    etag = owner.get(url)["ETag"]
    assert owner.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    comment = start(plan, people["commenter"], body="Nouveau")
    changed = owner.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "Nouveau" in changed.content.decode()
    assert owner.get(url, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304
    services.comment_edit(comment=comment, user=people["commenter"], body="Reformulé")
    edited = owner.get(url, HTTP_IF_NONE_MATCH=changed["ETag"])
    assert edited.status_code == 200 and "Reformulé" in edited.content.decode()
    services.thread_resolve(thread=comment.thread, user=people["owner"])
    resolved = owner.get(url, HTTP_IF_NONE_MATCH=edited["ETag"])
    assert resolved.status_code == 200 and "Reformulé" not in resolved.content.decode()
    overview = owner.get(f"/plans/{plan.pk}/")
    services.thread_reopen(thread=comment.thread, user=people["owner"])
    again = owner.get(f"/plans/{plan.pk}/", HTTP_IF_NONE_MATCH=overview["ETag"])
    assert again.status_code == 200 and "1 commentaire ouvert" in again.content.decode()


def test_the_plans_comments_page_lists_open_threads_and_on_request_resolved_ones(
    client, plan, people
):
    open_one = start(plan, people["commenter"], body="Toujours ouvert")
    done = start(plan, people["commenter"], item_id="orientation", body="Déjà réglé")
    services.thread_resolve(thread=done.thread, user=people["editor"])
    viewer = client_for(client, people["viewer"])
    page = viewer.get(f"/plans/{plan.pk}/comments/").content.decode()
    assert "Toujours ouvert" in page and "Déjà réglé" not in page
    assert f'href="/plans/{plan.pk}/steps/2/#item-competences"' in page
    assert "Répondre" not in page  # a viewer reads
    resolved = viewer.get(f"/plans/{plan.pk}/comments/?resolved=1").content.decode()
    assert "Déjà réglé" in resolved and "Toujours ouvert" not in resolved
    assert "Résolu par Editor" in resolved
    assert open_one.thread.is_open


def test_an_items_history_shows_its_comments_among_its_changes_by_date(client, plan, people):
    answer_save(plan=plan, user=people["owner"], item_id="competences", raw="A", base_version=0)
    first = start(plan, people["commenter"], body="Pourquoi A ?")
    answer_save(plan=plan, user=people["owner"], item_id="competences", raw="B", base_version=1)
    services.comment_reply(thread=first.thread, user=people["owner"], body="Corrigé en B.")
    page = client_for(client, people["viewer"])
    html = page.get(f"/plans/{plan.pk}/items/competences/history/").content.decode()
    entries = html.split('<ol class="history">')[1].split("</ol>")[0].split("<li")[1:]
    kinds = [
        "reply" if "Corrigé en B." in li else "comment" if "Pourquoi A ?" in li else "change"
        for li in entries
    ]
    assert kinds == ["reply", "change", "comment", "change"]
    assert "a répondu" in entries[0] and "a commenté" in entries[2]


def test_the_print_view_shows_open_comments_only_when_asked(client, plan, people):
    start(plan, people["commenter"], body="Commentaire à imprimer")
    done = start(plan, people["commenter"], item_id="orientation", body="Résolu, pas imprimé")
    services.thread_resolve(thread=done.thread, user=people["owner"])
    reader = client_for(client, people["viewer"])
    plain = reader.get(f"/plans/{plan.pk}/print/").content.decode()
    assert "Commentaire à imprimer" not in plain and "comments=1" in plain
    with_comments = reader.get(f"/plans/{plan.pk}/print/?comments=1").content.decode()
    assert "Commentaire à imprimer" in with_comments
    assert "Résolu, pas imprimé" not in with_comments
    overview = reader.get(f"/plans/{plan.pk}/").content.decode()
    assert f"/plans/{plan.pk}/print/?comments=1" in overview and "avec commentaires" in overview


@pytest.mark.parametrize("format_code", ["pdf", "docx", "xlsx", "csv", "json"])
def test_the_deliverables_leave_comments_out(client, plan, people, format_code):
    start(plan, people["commenter"], body="Remarque interne 7319")
    reader = client_for(client, people["viewer"])
    content = reader.get(f"/plans/{plan.pk}/download/{format_code}/?lang=fr").content
    if format_code == "pdf":
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    elif format_code == "json":
        text = json.dumps(json.loads(content), ensure_ascii=False)
    else:  # DOCX, XLSX and the CSV files are ZIP archives of text files
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            text = "".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    assert "Déchets solides 2027" in text or format_code == "pdf"  # the plan is there
    assert "7319" not in text


@pytest.mark.parametrize("payload", CORPUS)
def test_comment_bodies_never_become_markup(client, plan, people, payload):
    comment = start(plan, people["commenter"], body=f"{payload} @Editor")
    services.comment_reply(thread=comment.thread, user=people["owner"], body=payload)
    reader = client_for(client, people["owner"])
    escaped = payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace('"', "&quot;").replace("'", "&#x27;")
    for url in (
        f"/plans/{plan.pk}/steps/2/",
        f"/plans/{plan.pk}/comments/",
        f"/plans/{plan.pk}/items/competences/history/",
        f"/plans/{plan.pk}/print/?comments=1",
        f"/plans/{plan.pk}/comments/{comment.pk}/edit/",
    ):
        html = client_for(Client(), people["commenter"]).get(url).content.decode()
        html_owner = reader.get(url).content.decode() if "edit" not in url else html
        for page in (html, html_owner):
            assert escaped in page, url
            if "<" in payload:
                assert payload not in page, url


def test_the_demo_plan_has_a_few_comment_threads(db):
    from jalon.plans.demo import load_demo

    plan = load_demo()
    threads = Thread.objects.filter(plan=plan)
    assert threads.count() == 3
    assert threads.filter(resolved_at__isnull=True).count() == 2
    assert Comment.objects.filter(thread__plan=plan, mentions__isnull=False).exists()
    load_demo()  # a second load writes nothing
    assert Thread.objects.filter(plan=plan).count() == 3


def test_on_the_comments_pages_a_commenter_replies_resolves_and_reopens(client, plan, people):
    open_one = start(plan, people["commenter"], body="Toujours ouvert")
    done = start(plan, people["commenter"], item_id="orientation", body="Déjà réglé")
    services.thread_resolve(thread=done.thread, user=people["editor"])
    commenter = client_for(client, people["commenter"])
    page = commenter.get(f"/plans/{plan.pk}/comments/").content.decode()
    assert f"/threads/{open_one.thread_id}/reply/" in page and "Résoudre" in page
    assert "Modifier ou supprimer" in page  # their own comment
    resolved = commenter.get(f"/plans/{plan.pk}/comments/?resolved=1").content.decode()
    assert f"/threads/{done.thread_id}/reopen/" in resolved and "Rouvrir" in resolved
    commenter.post(f"/plans/{plan.pk}/threads/{done.thread_id}/reopen/")
    done.thread.refresh_from_db()
    assert done.thread.is_open


def test_a_refused_comment_without_javascript_gives_the_text_back_and_the_way_back(
    client, plan, people
):
    commenter = client_for(client, people["commenter"])
    too_long = "Une remarque détaillée. " * 200  # 4,800 characters
    response = commenter.post(
        f"/plans/{plan.pk}/comments/new/", {"item": "competences", "body": too_long}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "au plus 4000 caractères" in page
    assert "Une remarque détaillée. Une remarque détaillée." in page  # given back, to copy
    assert f'href="/plans/{plan.pk}/steps/2/#item-competences"' in page
    # An item the worksheet does not have leads back to the plan.
    response = commenter.post(f"/plans/{plan.pk}/comments/new/", {"item": "nope", "body": "x"})
    assert response.status_code == 400
    assert f'href="/plans/{plan.pk}/"' in response.content.decode()
