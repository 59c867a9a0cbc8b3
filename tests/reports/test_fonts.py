"""Fonts travel with Jalon: Typst sees the bundled fonts and no other, the PDF embeds only them,
and a plan gives the same PDF whatever fonts the server has installed."""

from __future__ import annotations

import io

import pytest
import typst
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from pypdf import PdfReader

from jalon.reports import to_pdf, typesetting
from jalon.reports.typesetting import FONT_FOLDER, FONTS, compile_typst, printable

from .test_docx import hand_document
from .test_hostile_text import HOSTILE, placed

OFL = "SIL Open Font License"


def _postscript_names() -> set[str]:
    names = set()
    for path in typesetting.font_files():
        with TTFont(path, lazy=True) as font:
            names.add(font["name"].getDebugName(6))
    return names


def _embedded_fonts(data: bytes) -> set[str]:
    """The name of every font the PDF embeds, on its pages and in the drawings they show, without
    the subset tag (« ABCDEF+NotoSans-Regular » → « NotoSans-Regular »)."""
    found: set[str] = set()
    seen: set[int] = set()

    def walk(resources) -> None:
        resources = resources.get_object() if resources is not None else None
        if not resources or id(resources) in seen:
            return
        seen.add(id(resources))
        for font in (resources.get("/Font") or {}).values():
            found.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
        for xobject in (resources.get("/XObject") or {}).values():
            walk(xobject.get_object().get("/Resources"))

    for page in PdfReader(io.BytesIO(data)).pages:
        walk(page.get("/Resources"))
    return found


def _hostile_document():
    answers, records = placed(" ".join(h.text for h in HOSTILE))
    return hand_document(answers=answers, records=records)


def test_the_bundled_fonts_are_the_families_the_documents_name_each_under_the_ofl():
    files = typesetting.font_files()
    assert files, "no font in jalon/reports/fonts"
    families = set()
    for path in files:
        with TTFont(path, lazy=True) as font:
            families.add(font["name"].getDebugName(1))
            assert OFL in font["name"].getDebugName(13), path.name  # the licence each declares
    assert families == set(FONTS)
    assert OFL in (FONT_FOLDER / "OFL.txt").read_text()


def test_typst_sees_the_bundled_fonts_and_no_system_or_built_in_font(caplog):
    seen = typesetting.bundled_fonts().fonts()
    assert {f.family for f in seen} == set(FONTS)
    assert sorted(str(f.path) for f in seen) == sorted(str(p) for p in typesetting.font_files())
    # Typst's own fonts (Libertinus Serif) and a font every Debian has (DejaVu Sans) are not
    # there: a document asking for them is told so, and prints with the bundled ones.
    for family in ("Libertinus Serif", "DejaVu Sans"):
        caplog.clear()
        compile_typst(
            b'#set text(font: "' + family.encode() + b'")\n#json(bytes(sys.inputs.data)).t',
            format="png",
            data={"t": "Kandia"},
        )
        assert f"Typst: unknown font family: {family.lower()}" in caplog.messages


def test_the_pdf_embeds_only_bundled_fonts_and_names_no_missing_one(caplog):
    data = to_pdf.build(_hostile_document())
    assert caplog.messages == []  # no « unknown font family »: the template names bundled fonts
    embedded = _embedded_fonts(data)
    assert embedded <= _postscript_names()
    # The fallback order at work: Latin, Arabic, symbols (the check boxes), emoji.
    assert {"NotoSans-Regular", "NotoNaskhArabic-Regular", "NotoEmoji-Regular"} <= embedded
    assert "NotoSansSymbols2-Regular" in embedded


def test_the_pdf_is_the_same_whether_or_not_the_server_s_fonts_are_in_sight(monkeypatch):
    """The same bytes from a compiler that also sees every installed font and Typst's own: the
    server's fonts play no part (on a machine without fonts, both compilers are the same)."""
    document = _hostile_document()
    bundled_only = to_pdf.build(document)
    everything = typst.Fonts(
        include_system_fonts=True, include_embedded_fonts=True, font_paths=[str(FONT_FOLDER)]
    )
    seeing_all = typst.Compiler(root=str(typesetting.TEMPLATES), font_paths=everything)
    monkeypatch.setattr(typesetting, "_compiler", lambda: seeing_all)
    assert to_pdf.build(document) == bundled_only


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("Kandia, Sénégal «\u00a0ok\u00a0»", "Kandia, Sénégal «\u00a0ok\u00a0»"),
        ("a\x1bb\x07c\x9bd\x00e\uffff\U0010ffff\ud800f", "abcdef"),  # not text: dropped
        ("中文 \ue000", "\ufffd\ufffd \ufffd"),  # no bundled font has them
        ("un\u2028deux\u2029trois", "un\ndeux\ntrois"),  # breaks as Typst breaks a line
        ("a\ufeffb", "a\u2060b"),  # PDF forbids U+FEFF; the word joiner means the same
        ("a\u1680b", "a b"),  # a space no font draws is a space
        ("👨\u200d👩\u200d👧 ♻️ 🇸🇳 ɔ̀ مرحبا", "👨\u200d👩\u200d👧 ♻️ 🇸🇳 ɔ̀ مرحبا"),  # kept
    ],
)
def test_printable_keeps_text_drops_what_is_not_and_marks_what_no_font_has(text, printed):
    assert printable(text) == printed
