"""The plan as a Word document a municipal team can rework in Word or LibreOffice.

A cover (plan, municipality, service, worksheet and version, progress, language, date), the
contents and the list of charts (each entry a link with its page number as a field), then each
step in Word's own heading styles (step → Heading 1, section → Heading 2, question → Heading 3,
record → Heading 4), so the navigation pane works. Every option of a choice is shown ticked or
not (☒/☐) and every maturity level with its rubric, so the printed document holds the whole
worksheet. Lists are tables: one table when a list has few fields, one field/value table per
record otherwise (a 12-column table is unreadable on A4), each record kept on one page. Charts
are images, each with its caption (« Graphique 1 », as in the PDF) and its data as a table.
Dates are written out, in the document's language.

Text is styled by name (« Instruction », « Checkbox », « Table text »…), not by hand, so a team
can restyle the whole document from the style pane; the styles, and the theme, have the PDF's
face (Noto Sans) and colours.

python-docx makes the package, styles, settings and images; the body is written by `_Writer`
as WordprocessingML text and parsed once. python-docx's own paragraph and table calls look
styles up by name and scan the body on each insertion: the demo plan took over a second that
way, against about 25 ms of CPU now.
"""

from __future__ import annotations

import datetime
import functools
import html
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document as new_docx
from docx.document import Document as Docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import parse_xml
from docx.oxml.xmlchemy import BaseOxmlElement as _Element
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import ParagraphStyle

from jalon.worksheets.schema import ItemKind

from . import charts
from .cells import words
from .characters import xml_text
from .charts import Chart
from .charts.svg import relative_width
from .document import Choice, Document, Entry, Meta, Record, Step, edition, long_date, review_of
from .to_pdf import colophon_text, summary_text

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

TEXT_WIDTH = 17.0  # cm: A4 (21 cm) less two 2 cm margins
CHART_WIDTH = 16.0  # cm
CHART_PIXELS = 1000  # 160 dpi over 16 cm: sharp on paper
TWIPS_PER_CM = 567
BLANK_ROW = 680  # twips (1.2 cm): a row of a blank form, to write in by hand
WIDE_LIST = 4  # lists with more fields than this print one field/value table per record
# The PDF's face and colours (jalon/reports/typst/plan.typ), so both read as one document.
FONT = "Noto Sans"
ACCENT = "0B5F8A"  # step headings, the title's rule, links
INK = "1B1F23"  # text and the other headings
MUTED = "56606B"  # instructions, small print, unticked options
LINE = "C9D1D9"  # table borders
HEADER_FILL = "E8F2F8"  # table headers and field names (the PDF's accent-soft)
SELECTED_FILL = "FFF2CC"
GREY = RGBColor.from_string(MUTED)
# Room between a cell's text and its borders (twips): about the PDF's 4 pt × 5 pt inset.
CELL_MARGIN_Y, CELL_MARGIN_X = 60, 100
# Rows and record tables are kept whole on a page when they fit comfortably on one; a row
# that cannot split yet is taller than a page would be cut off, in Word as in LibreOffice.
CHARS_PER_CM = 5.6  # Noto Sans at 9.5 pt, an average line of text
ROW_KEPT_LINES = 30  # about half a page of table text
RECORD_KEPT_LINES = 40
CHECKED, UNCHECKED = "☒", "☐"
UNUSED_PARTS = (
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml",
)
UNUSED_PACKAGE_PARTS = (
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail",
)


def _language_tag(language: str) -> str:
    return "en-GB" if language.startswith("en") else "fr-FR"


def _colon(language: str) -> str:
    """« : » in French typography (a non-breaking space before), ": " in English."""
    return ": " if language.startswith("en") else "\u00a0: "


def _element(tag: str, **attributes: str) -> _Element:
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


# Styles, page, language, properties: once per document, through python-docx.


def _paragraph_style(
    doc: Docx, name: str, size: float, *, italic: bool = False, grey: bool = False
) -> ParagraphStyle:
    style = cast(ParagraphStyle, doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH))
    style.base_style = doc.styles["Normal"]
    style.font.size = Pt(size)
    style.font.italic = italic or None
    if grey:
        style.font.color.rgb = GREY
    return style


THEME_ATTRIBUTES = ("themeColor", "themeShade", "themeTint")
FONT_THEME_ATTRIBUTES = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")


def _without_theme(styles: _Element) -> None:
    """Every font and colour of the styles named outright: Noto Sans and the PDF's colours.

    python-docx's template takes its fonts and colours from the Office theme (Calibri, Cambria,
    blue 4F81BD), which Word resolves before the colour a style names; an explicit face and
    colour win everywhere, also where the reader swaps the theme."""
    for fonts in styles.iter(qn("w:rFonts")):
        if fonts.getparent().getparent().tag == qn("w:rPrDefault") or any(
            fonts.get(qn(f"w:{a}")) for a in FONT_THEME_ATTRIBUTES
        ):
            for attribute in FONT_THEME_ATTRIBUTES:
                fonts.attrib.pop(qn(f"w:{attribute}"), None)
            for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
                fonts.set(qn(f"w:{attribute}"), FONT)
    for element in styles.iter():
        theme = element.get(qn("w:themeColor"))
        if theme:  # a colour (w:color w:val) or a border's (w:bottom w:color)
            for attribute in THEME_ATTRIBUTES:
                element.attrib.pop(qn(f"w:{attribute}"), None)
            value = INK if theme.startswith(("text", "dark")) else ACCENT
            element.set(qn("w:val" if element.tag == qn("w:color") else "w:color"), value)


def _theme(doc: Docx) -> None:
    """The theme part too, for what Word or LibreOffice draw from it (a new style, a chart the
    team adds): Noto Sans for headings and body, the accent and ink for the theme's colours;
    and the font table, which says what kind of face Noto Sans is."""
    for part in doc.part.package.iter_parts():
        if not part.content_type.endswith(".theme+xml"):
            continue
        theme = parse_xml(part.blob)
        main = "http://schemas.openxmlformats.org/drawingml/2006/main"
        theme.set("name", "Jalon")
        for scheme in theme.iter(f"{{{main}}}fontScheme", f"{{{main}}}clrScheme"):
            scheme.set("name", "Jalon")
        for latin in theme.iter(f"{{{main}}}latin"):
            latin.set("typeface", FONT)
        colours = {"dk2": INK, "accent1": ACCENT, "hlink": ACCENT, "folHlink": MUTED}
        for name, value in colours.items():
            for slot in theme.iter(f"{{{main}}}{name}"):
                for colour in list(slot):
                    slot.remove(colour)
                slot.append(parse_xml(f'<a:srgbClr xmlns:a="{main}" val="{value}"/>'))
        part._blob = serialize_part_xml(theme)
    for part in doc.part.package.iter_parts():
        if not part.content_type.endswith(".fontTable+xml"):
            continue
        # Word's defaults out; Noto Sans in, described as a proportional sans-serif so that a
        # computer without it substitutes one (Arial, Liberation Sans), not Times.
        table = parse_xml(part.blob)
        for font in list(table):
            if font.get(qn("w:name")) in ("Calibri", "Cambria", "Aptos"):
                table.remove(font)
        table.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{FONT}"><w:charset w:val="00"/>'
                '<w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>'
            )
        )
        part._blob = serialize_part_xml(table)


def _styles(doc: Docx, language: str) -> None:
    styles = doc.styles
    # The template's hundred-odd table styles are unused here (Word offers its own anyway);
    # each makes every style look-up and the file slower.
    for style in list(styles):
        if style.type == WD_STYLE_TYPE.TABLE and style.name not in ("Normal Table", "Table Grid"):
            style.delete()
    _without_theme(cast(_Element, styles.element))
    normal = cast(ParagraphStyle, styles["Normal"])
    normal.font.size = Pt(10)
    normal.font.color.rgb = RGBColor.from_string(INK)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.15
    normal_fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        normal_fonts.set(qn(f"w:{attribute}"), FONT)
    # The language of the text, for the spelling checker and hyphenation.
    normal.element.get_or_add_rPr().append(_element("w:lang", val=_language_tag(language)))

    # The PDF's headings: steps 19 pt in the accent colour, the others in ink.
    heading_sizes = {"Heading 1": 18, "Heading 2": 13.5, "Heading 3": 10.5, "Heading 4": 10}
    for name, size in heading_sizes.items():
        heading = cast(ParagraphStyle, styles[name])
        heading.font.size = Pt(size)
        heading.font.italic = False
        heading.font.color.rgb = RGBColor.from_string(ACCENT if name == "Heading 1" else INK)
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.space_before = Pt(16 if size >= 13 else 10)
        heading.paragraph_format.space_after = Pt(6 if size >= 13 else 3)
    cast(ParagraphStyle, styles["Heading 1"]).paragraph_format.page_break_before = True
    cast(ParagraphStyle, styles["TOC Heading"]).paragraph_format.page_break_before = True
    title = cast(ParagraphStyle, styles["Title"])
    title.font.color.rgb = RGBColor.from_string(INK)
    title.font.bold = True
    title.font.size = Pt(24)
    for border in title.element.iter(qn("w:bottom")):
        border.set(qn("w:color"), ACCENT)
    subtitle = cast(ParagraphStyle, styles["Subtitle"])
    subtitle.font.color.rgb = GREY
    subtitle.font.italic = False
    caption = cast(ParagraphStyle, styles["Caption"])
    caption.font.color.rgb = RGBColor.from_string(INK)
    caption.font.size = Pt(9.5)
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(10)
    # Table borders: the PDF's thin grey rule, not Word's black.
    grid = cast(_Element, styles["Table Grid"].element)
    for borders in grid.iter(qn("w:tblBorders")):
        for border in borders:
            border.set(qn("w:color"), LINE)

    _paragraph_style(doc, "Instruction", 10, italic=True, grey=True)
    _paragraph_style(doc, "Empty answer", 10, italic=True, grey=True)
    _paragraph_style(doc, "Small", 8.5, grey=True)
    _paragraph_style(doc, "Caption text", 8.5, italic=True, grey=True)
    for name, indent in (("Checkbox", 0.5), ("Checkbox in family", 1.1)):
        # A hanging indent: the box, then the label aligned on the indent, also when it wraps.
        checkbox = _paragraph_style(doc, name, 10)
        checkbox.paragraph_format.space_after = Pt(1)
        checkbox.paragraph_format.left_indent = Cm(indent)
        checkbox.paragraph_format.first_line_indent = Cm(-0.5)
    for name in ("Checkbox family", "Answer label"):
        label = _paragraph_style(doc, name, 10)
        label.font.bold = True
        label.paragraph_format.space_before = Pt(6)
        label.paragraph_format.space_after = Pt(2)
        label.paragraph_format.keep_with_next = True
    table_text = _paragraph_style(doc, "Table text", 9.5)
    table_text.paragraph_format.space_after = Pt(2)
    table_text.paragraph_format.line_spacing = 1.0
    figure = _paragraph_style(doc, "Figure", 10)
    figure.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    figure.paragraph_format.keep_with_next = True
    charts_heading = _paragraph_style(doc, "Contents subheading", 13.5)
    charts_heading.font.bold = True
    charts_heading.paragraph_format.space_before = Pt(18)
    charts_heading.paragraph_format.space_after = Pt(6)
    charts_heading.paragraph_format.keep_with_next = True
    # Word's own names for the contents' and the list of charts' entries: its « Update
    # field » keeps these styles. Page numbers sit right, after a dotted leader.
    for name, indent, space_before, bold in (
        ("toc 1", 0.0, 6, True),
        ("toc 2", 0.6, 0, False),
        ("table of figures", 0.0, 0, False),
    ):
        toc = _paragraph_style(doc, name, 10)
        toc.element.attrib.pop(qn("w:customStyle"), None)  # Word's built-in style, restyled
        toc.paragraph_format.left_indent = Cm(indent)
        toc.paragraph_format.space_after = Pt(2)
        toc.paragraph_format.space_before = Pt(space_before)
        toc.font.bold = bold or None
        toc.paragraph_format.tab_stops.add_tab_stop(
            Cm(TEXT_WIDTH), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )


@functools.cache
def _template(language: str) -> bytes:
    """An empty document with the page, styles and settings of every plan in `language`.

    Made once per language and reopened for each plan: preparing it (python-docx's template
    holds a hundred styles to remove) costs more than writing a whole plan.
    """
    doc = new_docx()
    # python-docx's template carries parts of the Word 2010 file it was made from: a second,
    # 400 KB copy of the styles, a thumbnail of an empty page, a bibliography store. Word
    # needs none of them; without them, every document is smaller and quicker to write.
    for part, unused in ((doc.part, UNUSED_PARTS), (doc.part.package, UNUSED_PACKAGE_PARTS)):
        for rel_id in [r for r, rel in part.rels.items() if rel.reltype in unused]:
            del part.rels[rel_id]
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    section.header_distance = section.footer_distance = Cm(1)
    section.different_first_page_header_footer = True  # no header or footer on the cover
    _styles(doc, language)
    _theme(doc)
    settings = cast(_Element, doc.settings.element)
    # Word refreshes every field on opening (it asks first): the contents and page numbers.
    # The element must come before these, in the order the schema gives.
    successors = (
        *("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars"),
        *("w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping"),
        *("w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade"),
        *("w:captions", "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary"),
        *("w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator"),
    )
    doc.settings.element.insert_element_before(_element("w:updateFields", val="true"), *successors)
    for theme_language in settings.iterchildren(qn("w:themeFontLang")):
        theme_language.set(qn("w:val"), _language_tag(language))
    output = io.BytesIO()
    doc.save(output)
    return output.getvalue()


def _properties(doc: Docx, meta: Meta) -> None:
    """What Word shows in File → Info (python-docx's template says « python-docx », 2013)."""
    properties = doc.core_properties
    properties.title = xml_text(meta.title)
    properties.subject = xml_text(meta.worksheet_title)
    properties.author = properties.last_modified_by = xml_text(meta.municipality)
    properties.keywords = xml_text(f"{meta.service}; {meta.worksheet_title}")
    properties.category = xml_text(meta.worksheet_title)
    properties.comments = ""
    properties.language = _language_tag(meta.language)
    properties.revision = 1
    moment = datetime.datetime.combine(meta.generated, datetime.time(), tzinfo=datetime.UTC)
    properties.created = properties.modified = moment


@dataclass(frozen=True)
class _Cell:
    text: str
    bold: bool = False
    fill: str = ""


def _escape(text: str) -> str:
    """Text for an XML text node or a double-quoted attribute: only ever data."""
    return html.escape(xml_text(text))  # & < > " and ' as entities: valid XML too


def _run(text: str, *, bold: bool = False) -> str:
    properties = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{properties}<w:t xml:space="preserve">{_escape(text)}</w:t></w:r>'


def _field_start(instruction: str, *, dirty: bool = False) -> str:
    """The opening of a Word field; `dirty` asks Word to compute it on opening."""
    flag = ' w:dirty="true"' if dirty else ""
    return (
        f'<w:r><w:fldChar w:fldCharType="begin"{flag}/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {_escape(instruction)} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    )


FIELD_END = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'


def _field(instruction: str, shown: str) -> str:
    """A Word field (PAGE, SEQ…) showing `shown` until it is computed."""
    return _field_start(instruction) + _run(shown) + FIELD_END


class _Writer:
    """Writes the document body in order.

    Paragraphs and tables are written as WordprocessingML text (every piece of it escaped by
    `_escape`) and parsed in one go when the body is complete or an image comes: building the
    same elements one by one through lxml took most of the build time."""

    def __init__(self, doc: Docx, language: str) -> None:
        self.doc = doc
        self.language = language
        self.w = words(language)
        self.colon = _colon(language)
        self.style_ids = {style.name: style.style_id for style in doc.styles}
        body = cast(_Element, doc.element.body)
        self.end = body[-1]  # the section properties: new blocks go just before them
        self.pending: list[str] = []
        self.figures = 1
        self.bookmarks = 0
        # One word for a chart across formats: the PDF's « Graphique » / « Chart ».
        self.figure = _("Chart")
        # The last block written is a table: another table needs a paragraph between them. Only
        # then: an empty paragraph after every table could spill onto the next page alone, and
        # a step's heading (a new page) then left that page blank.
        self.table_last = False

    def flush(self) -> None:
        """Parse what was written and place it in the body."""
        if not self.pending:
            return
        fragment = parse_xml(f"<w:body {nsdecls('w')}>{''.join(self.pending)}</w:body>")
        for block in list(fragment):
            self.end.addprevious(block)
        self.pending = []

    def paragraph_xml(
        self, runs: str, style: str = "Normal", *, keep_next: bool = False, bookmark: str = ""
    ) -> str:
        """A paragraph; `bookmark` names it, for the contents' hyperlinks and page numbers."""
        properties = ""
        if style != "Normal" or keep_next:
            style_xml = f'<w:pStyle w:val="{self.style_ids[style]}"/>' if style != "Normal" else ""
            properties = f"<w:pPr>{style_xml}{'<w:keepNext/>' if keep_next else ''}</w:pPr>"
        self.table_last = False
        if bookmark:
            self.bookmarks += 1
            runs = (
                f'<w:bookmarkStart w:id="{self.bookmarks}" w:name="{bookmark}"/>{runs}'
                f'<w:bookmarkEnd w:id="{self.bookmarks}"/>'
            )
        return f"<w:p>{properties}{runs}</w:p>"

    def paragraph(
        self,
        text: str = "",
        style: str = "Normal",
        *,
        bold: bool = False,
        runs: str = "",
        bookmark: str = "",
    ) -> None:
        content = (_run(text, bold=bold) if text else "") + runs
        self.pending.append(self.paragraph_xml(content, style, bookmark=bookmark))

    def lines(self, text: str, style: str = "Normal") -> int:
        """A text as paragraphs, one per line typed; how many were written."""
        lines = [line for line in xml_text(text).splitlines() if line.strip()]
        for line in lines:
            self.paragraph(line, style)
        return len(lines)

    def answer(self, text: str) -> None:
        if not self.lines(text):
            self.paragraph(self.w["no_answer"], "Empty answer")

    def picture(self, image: bytes, title: str, description: str, width: float = 1.0) -> None:
        """An image as wide as a chart column (or `width` of it), centred, with its title and
        text alternative."""
        self.flush()
        self.table_last = False
        paragraph = self.doc.add_paragraph(style=self.doc.styles["Figure"])
        shape = paragraph.add_run().add_picture(io.BytesIO(image), width=Cm(CHART_WIDTH * width))
        properties = shape._inline.docPr  # what screen readers and Word's Alt Text read
        properties.set("title", xml_text(title))
        properties.set("descr", xml_text(description))

    def table(
        self,
        widths: Sequence[float],
        rows: Sequence[Sequence[_Cell]],
        *,
        header: bool = False,
        caption: str = "",
        blank: bool = False,
        whole: bool = False,
    ) -> None:
        """A bordered table of fixed column widths (cm), its cells padded; a header row repeats
        on each page; the rows of a `blank` form are tall enough to write in by hand. A row
        does not split across pages, and a `whole` table (a record) stays on one page, when
        they fit on one comfortably: see ROW_KEPT_LINES."""
        if self.table_last:  # Word glues adjacent tables together without a paragraph
            self.paragraph("", "Small")
        twips = [round(width * TWIPS_PER_CM) for width in widths]
        margins = "".join(
            f'<w:{side} w:w="{CELL_MARGIN_Y if side in ("top", "bottom") else CELL_MARGIN_X}"'
            ' w:type="dxa"/>'
            for side in ("top", "left", "bottom", "right")
        )
        xml = [
            "<w:tbl><w:tblPr>",
            f'<w:tblStyle w:val="{self.style_ids["Table Grid"]}"/>',
            f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>',
            f'<w:tblLayout w:type="fixed"/><w:tblCellMar>{margins}</w:tblCellMar>',
            f'<w:tblLook w:val="04A0" w:firstRow="{int(header)}" w:firstColumn="0"/>',
            # The table's accessible name (Word: Table Properties → Alt Text).
            f'<w:tblCaption w:val="{_escape(caption[:250])}"/>' if caption else "",
            "</w:tblPr><w:tblGrid>",
            *(f'<w:gridCol w:w="{width}"/>' for width in twips),
            "</w:tblGrid>",
        ]
        heights = [_lines_high(cells, widths) for cells in rows]
        whole = whole and sum(heights) <= RECORD_KEPT_LINES
        text_style = self.style_ids["Table text"]
        for index, (cells, height) in enumerate(zip(rows, heights, strict=True)):
            row_properties = "<w:cantSplit/>" if height <= ROW_KEPT_LINES else ""
            if header and index == 0:
                row_properties += "<w:tblHeader/>"
            elif blank:
                row_properties += f'<w:trHeight w:val="{BLANK_ROW}" w:hRule="atLeast"/>'
            xml.append(f"<w:tr><w:trPr>{row_properties}</w:trPr>" if row_properties else "<w:tr>")
            # Word keeps a table on one page when every row but the last keeps with the next;
            # a header row keeps with the first row of data.
            keep = (
                "<w:keepNext/>"
                if (whole or (header and index == 0)) and index < len(rows) - 1
                else ""
            )
            for cell, width in zip(cells, twips, strict=True):
                shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{cell.fill}"/>'
                xml.append(
                    f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>'
                    f"{shading if cell.fill else ''}</w:tcPr>"
                )
                for line in xml_text(cell.text).splitlines() or [""]:  # at least one paragraph
                    run = _run(line, bold=cell.bold) if line else ""
                    xml.append(
                        f'<w:p><w:pPr><w:pStyle w:val="{text_style}"/>{keep}</w:pPr>{run}</w:p>'
                    )
                xml.append("</w:tc>")
            xml.append("</w:tr>")
        xml.append("</w:tbl>")
        self.pending.append("".join(xml))
        self.table_last = True


def _lines_high(cells: Sequence[_Cell], widths: Sequence[float]) -> int:
    """About how many lines of table text a row takes: its tallest cell."""
    tallest = 1
    for cell, width in zip(cells, widths, strict=True):
        per_line = max(1, int((width - 0.35) * CHARS_PER_CM))
        lines = sum(-(-max(len(line), 1) // per_line) for line in cell.text.splitlines() or [""])
        tallest = max(tallest, lines)
    return tallest


# Content.


def _cover(out: _Writer, document: Document) -> None:
    meta = document.meta
    w = out.w
    quoted = (
        f"«\u00a0{meta.worksheet_title}\u00a0»"
        if out.colon != ": "
        else f"“{meta.worksheet_title}”"
    )
    out.paragraph(f"{w['worksheet']} {quoted}", "Small")
    out.paragraph(meta.title, "Title")
    out.paragraph(f"{meta.municipality} — {meta.service}", "Subtitle")
    answered = sum(step.answered for step in document.steps)
    total = sum(step.total for step in document.steps)
    generated = long_date(meta.generated, meta.language)
    rows = [
        (w["municipality"], meta.municipality),
        (
            f"{w['city']}, {w['country'].lower()}",
            ", ".join(p for p in (meta.city, meta.country) if p),
        ),
        (w["service"], meta.service),
        (
            w["worksheet"],
            f"{meta.worksheet_title}, {w['version'].lower()} {meta.definition_version}",
        ),
        (w["progress_label"], w["progress"].format(answered=answered, total=total)),
        (w["language"], w["language_name"]),
        (w["generated"], generated),
        (w["revisions"], str(meta.revision_count)),
        (w["validation"], review_of(meta).line),
    ]
    out.table(
        (5.5, TEXT_WIDTH - 5.5),
        [(_Cell(label, bold=True, fill=HEADER_FILL), _Cell(value)) for label, value in rows],
        caption=meta.title,
    )
    out.paragraph(f"{w['source']}{out.colon}{meta.worksheet_source}", "Small")


def _subheading(out: _Writer, text: str) -> None:
    out.paragraph(text, "Heading 3")


SUMMARY_BOOKMARK = "_TocSummary"
# The summary's tables by their number of columns (cm, TEXT_WIDTH in all): the name first and
# widest, amounts wide enough for « 28 100 000 XOF » on one line.
SUMMARY_WIDTHS = {5: (4.2, 3.3, 3.0, 3.0, 3.5), 4: (5.6, 3.8, 3.8, 3.8)}
COLOPHON_BOOKMARK = "_TocColophon"


def _summary(out: _Writer, document: Document) -> None:
    """The one-page summary (reports/summary.py), as the PDF's page after the cover."""
    summary = summary_text(document)
    if summary is None:
        return
    out.paragraph(summary["title"], "Heading 1", bookmark=SUMMARY_BOOKMARK)
    out.table(
        (5.0, TEXT_WIDTH - 5.0),
        [
            (_Cell(label, bold=True, fill=HEADER_FILL), _Cell(value))
            for label, value in summary["facts"]
        ],
        caption=summary["title"],
    )
    for block in summary["blocks"]:
        _subheading(out, block["title"])
        if not block["rows"]:
            out.paragraph(block["empty"], "Empty answer")
            continue
        columns = block["columns"]
        texts = [
            [cell for _column, cell, _amount in row] for row in block["rows"] + block["totals"]
        ]
        rows = [tuple(_Cell(c, bold=True, fill=HEADER_FILL) for c in columns)]
        rows += [tuple(_Cell(c) for c in row) for row in texts[: len(block["rows"])]]
        rows += [tuple(_Cell(c, bold=True) for c in row) for row in texts[len(block["rows"]) :]]
        widths = SUMMARY_WIDTHS.get(len(columns)) or _widths(columns, texts)
        out.table(widths, rows, header=True, caption=block["title"], whole=True)
        if block["more"]:
            out.paragraph(block["more"], "Small")
    _subheading(out, summary["open_title"])
    for line in summary["open"]:
        out.paragraph(f"– {line}")


def _colophon(out: _Writer, document: Document) -> None:
    """Who wrote the plan, from its history, and the technical references, after the last
    step: the worksheet's fingerprint is for whoever checks a copy, not for the cover."""
    colophon = colophon_text(document)
    out.paragraph(colophon["title"], "Heading 1", bookmark=COLOPHON_BOOKMARK)
    out.paragraph(colophon["contributors_title"], "Heading 2")
    if colophon["contributors"]:
        rows = [
            tuple(_Cell(c, bold=True, fill=HEADER_FILL) for c in colophon["contributors_columns"])
        ]
        rows += [(_Cell(name, bold=True), _Cell(what)) for name, what in colophon["contributors"]]
        out.table(
            (5.0, TEXT_WIDTH - 5.0), rows, header=True, caption=colophon["contributors_title"]
        )
    else:
        out.paragraph(colophon["no_contributors"], "Empty answer")
    out.paragraph(colophon["references_title"], "Heading 2")
    out.table(
        (5.5, TEXT_WIDTH - 5.5),
        [
            (_Cell(label, bold=True, fill=HEADER_FILL), _Cell(value))
            for label, value in colophon["references"]
        ],
        caption=colophon["references_title"],
    )


def _step_title(step: Step, out: _Writer) -> str:
    return f"{out.w['step']} {step.number}{out.colon}{step.title}"


@dataclass(frozen=True)
class _Heading:
    """A heading the contents list: its text, its level (1 step, 2 section), its bookmark."""

    text: str
    level: int
    bookmark: str


def _headings(out: _Writer, document: Document) -> list[_Heading]:
    headings: list[_Heading] = []
    for step in document.steps:
        headings.append(_Heading(_step_title(step, out), 1, f"_TocStep{step.number}"))
        for index, section in enumerate(step.sections, start=1):
            bookmark = f"_TocSection{step.number}_{index}"
            headings.append(_Heading(f"{section.id} {section.title}", 2, bookmark))
    return headings


def _chart_bookmark(number: int) -> str:
    return f"_TocChart{number}"


def _entry_runs(text: str, bookmark: str) -> str:
    """A contents entry as Word writes one: a link to the heading, a tab to the dotted leader,
    the heading's page number as a PAGEREF field to the heading's bookmark."""
    page = _field_start(f"PAGEREF {bookmark} \\h", dirty=True) + FIELD_END
    return (
        f'<w:hyperlink w:anchor="{bookmark}" w:history="1">'
        f"{_run(text)}<w:r><w:tab/></w:r>{page}</w:hyperlink>"
    )


def _contents(out: _Writer, document: Document, placed: Sequence[Chart]) -> None:
    """The contents (steps and sections) and the list of charts, each entry written out with
    its page number as a field: no page number can be known before a word processor lays the
    pages out. LibreOffice computes these fields as it does so (a TOC field, by contrast, it
    shows as written, without numbers, until the reader updates it); Word offers to update
    every field on opening (`w:updateFields`); the note under the contents says how to do it
    by hand in both."""
    out.paragraph(out.w["contents"], "TOC Heading")
    summary = [_Heading(_("Summary"), 1, SUMMARY_BOOKMARK)] if document.summary is not None else []
    colophon = [_Heading(_("Contributors and references"), 1, COLOPHON_BOOKMARK)]
    for heading in summary + _headings(out, document) + colophon:
        out.paragraph(
            style=f"toc {heading.level}", runs=_entry_runs(heading.text, heading.bookmark)
        )
    if placed:
        out.paragraph(_("Charts"), "Contents subheading")
        for number, chart in enumerate(placed, start=1):
            text = f"{out.figure} {number}{out.colon}{chart.title}"
            out.paragraph(style="table of figures", runs=_entry_runs(text, _chart_bookmark(number)))
    out.paragraph("", "Small")
    out.paragraph(
        _(
            "Page numbers are fields, computed by the word processor. LibreOffice shows them"
            " as it lays out the pages (Tools › Update › Update All after a change). Word"
            " offers to update the fields when it opens the document: answer Yes; otherwise,"
            " select all (Ctrl+A), then press F9 or right-click › Update Field."
        ),
        "Small",
    )


def _header_footer(doc: Docx, out: _Writer, meta: Meta) -> None:
    """The review mark (« Projet — non validé », or the validation's date) atop every page, the
    cover too, followed by the plan's title but on the cover; at the bottom, which state of the
    plan this is (its date and count of changes, or the frozen version) and « Page n sur N »."""
    section = doc.sections[0]
    small = out.style_ids["Small"]
    mark = _run(review_of(meta).mark, bold=True)
    header = f'<w:pPr><w:pStyle w:val="{small}"/></w:pPr>'
    header += mark + _run(f" · {meta.municipality} — {meta.title}")
    cover_header = f'<w:pPr><w:pStyle w:val="{small}"/></w:pPr>{mark}'
    cover = cast(_Element, section.first_page_header.paragraphs[0]._p)
    cover.getparent().replace(cover, parse_xml(f"<w:p {nsdecls('w')}>{cover_header}</w:p>"))
    before, _, rest = out.w["page"].partition("{page}")
    between, _, after = rest.partition("{pages}")
    footer = f'<w:pPr><w:pStyle w:val="{small}"/><w:jc w:val="center"/></w:pPr>'
    footer += _run(f"{edition(meta)} · ") + _run(before) + _field("PAGE", "1") + _run(between)
    footer += _field("NUMPAGES", "1") + _run(after)
    for story, content in ((section.header, header), (section.footer, footer)):
        paragraph = cast(_Element, story.paragraphs[0]._p)
        paragraph.getparent().replace(paragraph, parse_xml(f"<w:p {nsdecls('w')}>{content}</w:p>"))


def _widths(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> list[float]:
    """Column widths (cm) in proportion to how much each column holds, each at least as wide
    as its longest word (a date must not break inside « décembre »)."""
    weights = [float(max(len(title), 8)) for title in columns]
    longest_words = [max((len(word) for word in title.split()), default=0) for title in columns]
    for row in rows:
        for i, text in enumerate(row):
            weights[i] = max(weights[i], min(len(text), 60))
            longest_words[i] = max(longest_words[i], *(len(word) for word in text.split()), 0)
    minimum = [max(1.6, min(0.21 * chars + 0.6, 5.0)) for chars in longest_words]
    fixed: dict[int, float] = {}  # columns held at their minimum
    while True:
        free = [i for i in range(len(columns)) if i not in fixed]
        room = TEXT_WIDTH - sum(fixed.values())
        share = {i: room * weights[i] / sum(weights[j] for j in free) for i in free}
        narrow = {i: minimum[i] for i in free if share[i] < minimum[i]}
        if not narrow or len(narrow) == len(free):
            widths = {**fixed, **share, **narrow}
            break
        fixed |= narrow
    total = sum(widths.values())
    return [widths[i] * TEXT_WIDTH / total for i in range(len(columns))]


def _choices(out: _Writer, choices: Sequence[Choice]) -> None:
    family = None
    for choice in choices:
        if choice.family and choice.family != family:
            family = choice.family
            out.paragraph(family, "Checkbox family")
        box = CHECKED if choice.selected else UNCHECKED
        style = "Checkbox in family" if choice.family else "Checkbox"
        out.paragraph(f"{box}\t{choice.label}", style, bold=choice.selected)


def _levels(out: _Writer, entry: Entry) -> None:
    """The maturity scale: every level with its rubric, the chosen one ticked and shaded."""

    def row(level: Choice) -> tuple[_Cell, ...]:
        fill = SELECTED_FILL if level.selected else ""
        box = CHECKED if level.selected else UNCHECKED
        return (
            _Cell(box, level.selected, fill),
            _Cell(level.label, level.selected, fill),
            _Cell(level.detail, fill=fill),
        )

    out.table((0.9, 3.4, TEXT_WIDTH - 4.3), [row(level) for level in entry.levels])
    if entry.level is None:
        out.paragraph(f"{out.w['level']}{out.colon}{out.w['no_answer']}", "Empty answer")


def _note(out: _Writer, entry: Entry) -> None:
    if entry.note_label:
        out.paragraph(entry.note_label, "Answer label")
        out.answer(entry.note)
    if entry.target:
        out.answer(entry.target)


def _cells(record: Record, language: str) -> tuple[str, ...]:
    """A record's cells as printed: its dates written out (« 1er mars 2027 »), as in the
    charts, where the document holds them as ISO text for the spreadsheets."""
    if not record.values:
        return record.cells
    return tuple(
        long_date(value, language) if isinstance(value, datetime.date) else text
        for text, value in zip(record.cells, record.values, strict=True)
    )


def _list(out: _Writer, entry: Entry) -> None:
    """A list as one table (few fields) or as one field/value table per record."""
    columns = entry.columns
    # A blank record, to fill in by hand: a choice field lists what it offers.
    options = entry.column_options or ((),) * len(columns)
    blank = tuple("\n".join(f"{UNCHECKED} {label}" for label in offered) for offered in options)
    if not entry.records:
        out.paragraph(out.w["no_records"], "Empty answer")
    if len(columns) <= WIDE_LIST:
        # An empty list prints as two blank rows to fill in by hand.
        rows = [_cells(record, out.language) for record in entry.records] or [blank] * 2
        header = [_Cell(title, bold=True, fill=HEADER_FILL) for title in columns]
        body = [[_Cell(text) for text in cells] for cells in rows]
        out.table(
            _widths(columns, rows),
            [header, *body],
            header=True,
            caption=entry.question,
            blank=not entry.records,
        )
        return
    # A record shows the fields it fills, those of its family only (a pilot action's data or
    # communication questions), its title in its heading and not again below it; an empty list
    # prints as a blank form of every field.
    records = [
        (
            f"{i}. {record.title}" if record.title else f"{i}.",
            _cells(record, out.language),
            [
                (not record.applicable or record.applicable[n])
                and (n != entry.title_column or not record.title)
                for n in range(len(columns))
            ],
        )
        for i, record in enumerate(entry.records, start=1)
    ] or [("1.", blank, [True] * len(columns))]
    if entry.records and entry.title_column is not None:
        # The title is the card's heading: say once which field it is.
        out.paragraph(
            _("Each card is headed by: %(field)s") % {"field": columns[entry.title_column]}, "Small"
        )
    for heading, cells, shown in records:
        out.paragraph(heading, "Heading 4")
        pairs = [
            pair for pair, keep in zip(zip(columns, cells, strict=True), shown, strict=True) if keep
        ]
        out.table(
            (6.0, TEXT_WIDTH - 6.0),
            [
                (_Cell(column, fill=HEADER_FILL), _Cell(text))
                for column, text in (
                    [(c, t) for c, t in pairs if t.strip()] if entry.records else pairs
                )
            ],
            caption=f"{entry.question} — {heading}",
            blank=not entry.records,
            whole=True,  # a record reads as one: never its first fields here, the rest overleaf
        )


def _entry(out: _Writer, entry: Entry) -> None:
    out.paragraph(entry.question, "Heading 3")
    if entry.kind is ItemKind.RECORDS:
        _list(out, entry)
    elif entry.kind is ItemKind.MATURITY:
        _levels(out, entry)
        _note(out, entry)
    elif entry.kind in (ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE):
        _choices(out, entry.choices)
        _note(out, entry)
    else:
        out.answer(entry.text)


def _chart(out: _Writer, chart: Chart) -> None:
    """A numbered caption (Word's SEQ field named by the caption word: the list of charts
    gathers them), the drawing with its text alternative, then its data; or, when there is too
    little to draw, why."""
    number = _field(f"SEQ {out.figure} \\* ARABIC", str(out.figures))
    caption = _run(f"{out.figure} ") + number + _run(f"{out.colon}{chart.title}")
    out.pending.append(
        out.paragraph_xml(caption, "Caption", keep_next=True, bookmark=_chart_bookmark(out.figures))
    )
    out.figures += 1
    if chart.svg is None:
        out.paragraph(chart.message, "Empty answer")
    else:
        # A long roadmap prints in page-sized parts: a picture taller than a page is cut off.
        for n, drawing in enumerate(chart.parts or (chart.svg,), start=1):
            alt = chart.alt if n == 1 else f"{chart.title} ({n}/{len(chart.parts)})"
            width = relative_width(drawing)
            out.picture(
                charts.png(drawing, width=round(CHART_PIXELS * width)), chart.title, alt, width
            )
    if len(chart.table) > 1:
        header, *rows = chart.table
        widths = _widths(header, rows)
        out.paragraph(out.w["chart_data"], "Answer label")
        out.table(
            widths,
            [[_Cell(text, bold=True, fill=HEADER_FILL) for text in header]]
            + [[_Cell(text) for text in row] for row in rows],
            header=True,
            caption=f"{out.w['chart_data']} — {chart.title}",
        )


def _charts_by_section(document: Document) -> dict[str, list[Chart]]:
    """Each chart follows the section of the item it illustrates."""
    by_section: dict[str, list[Chart]] = {}
    sections = {e.id: s.id for step in document.steps for s in step.sections for e in s.entries}
    for chart in charts.all_charts(document):
        if chart.item in sections:
            by_section.setdefault(sections[chart.item], []).append(chart)
    return by_section


def _placed(document: Document, by_section: dict[str, list[Chart]]) -> list[Chart]:
    """The charts in the order they print, so numbered."""
    return [
        chart
        for step in document.steps
        for section in step.sections
        for chart in by_section.get(section.id, ())
    ]


def _steps(out: _Writer, document: Document, by_section: dict[str, list[Chart]]) -> None:
    headings = iter(_headings(out, document))
    for step in document.steps:
        out.paragraph(_step_title(step, out), "Heading 1", bookmark=next(headings).bookmark)
        progress = out.w["progress"].format(answered=step.answered, total=step.total)
        out.paragraph(progress, "Small")
        for section in step.sections:
            out.paragraph(
                f"{section.id} {section.title}", "Heading 2", bookmark=next(headings).bookmark
            )
            out.lines(section.instruction, "Instruction")
            for entry in section.entries:
                _entry(out, entry)
            for chart in by_section.get(section.id, ()):
                _chart(out, chart)


def build(document: Document) -> bytes:
    """The plan as a DOCX, in the order it reads: the cover, the contents and list of charts,
    then the six steps. The document's language is the active one while it is written, for the
    words that come from gettext."""
    language = document.meta.language
    doc = new_docx(io.BytesIO(_template(language)))
    _properties(doc, document.meta)
    with translation.override(language):
        out = _Writer(doc, language)
        by_section = _charts_by_section(document)
        _header_footer(doc, out, document.meta)
        _cover(out, document)
        _summary(out, document)
        _contents(out, document, _placed(document, by_section))
        _steps(out, document, by_section)
        _colophon(out, document)
        out.flush()
    output = io.BytesIO()
    doc.save(output)
    return output.getvalue()
