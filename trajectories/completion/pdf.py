"""The PDFs: the certificate (A4 landscape, in the participant's language) and the sign-in list
of an on-site session (A4 portrait), made with fpdf2 and the DejaVu fonts embedded.

Their words come from templates (`templates/completion/*.txt`, one "part|text" line each, in the
language asked for); this module only lays the parts out. The QR code (segno) on the
certificate carries its verification URL.
"""

from __future__ import annotations

import io
from pathlib import Path

import segno
from flask import current_app
from flask_babel import force_locale
from fpdf import FPDF

#: Debian's fonts-dejavu-core (`make install` installs it): Unicode TTFs, embedded as subsets.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVu"


class FontMissing(RuntimeError):
    pass


def _parts(template: str, language: str, **context) -> list[tuple[str, str]]:
    """The template's "part|text" lines, rendered in `language` (Dutch unless "en")."""
    with force_locale("en" if language == "en" else "nl"):
        text = current_app.jinja_env.get_template(template).render(**context)
    parts = []
    for line in text.splitlines():
        part, bar, words = line.partition("|")
        if bar:
            parts.append((part.strip(), " ".join(words.split())))
    return parts


def _document(orientation: str, title: str, language: str) -> FPDF:
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
        path = FONT_DIR / name
        if not path.exists():
            raise FontMissing(f"{path} is missing: install fonts-dejavu-core (make install)")
        pdf.add_font(FONT, style, str(path))
    pdf.set_title(title)
    pdf.set_lang("en" if language == "en" else "nl")
    pdf.set_creator("trajectories")
    return pdf


def qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    buffer.seek(0)
    return buffer


def certificate_pdf(view, language: str, verify_url: str) -> bytes:
    """The certificate of `view` (a `queries.CertificateView`) as PDF bytes."""
    parts = _parts("completion/certificate.txt", language, c=view, verify_url=verify_url)
    words = dict(parts)
    pdf = _document("L", words.get("title", ""), language)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(30, 70, 120)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_y(28)
    sizes = {"title": (FONT, "B", 30, 16), "name": (FONT, "B", 22, 12),
             "track": (FONT, "B", 18, 11), "line": (FONT, "", 13, 8)}
    for part, text in parts:
        if part not in sizes:
            continue
        family, style, size, height = sizes[part]
        pdf.set_font(family, style, size)
        if part == "title":
            pdf.set_text_color(30, 70, 120)
        pdf.multi_cell(w=0, h=height, text=text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        if part == "title":
            pdf.ln(6)
    # The signature line on the left, the verification (QR and short URL) on the right.
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.3)
    pdf.line(30, 170, 120, 170)
    pdf.set_font(FONT, "", 10)
    for y, part in ((172, "signer"), (177, "signature"), (182, "issued")):
        pdf.set_xy(30, y)
        pdf.cell(w=90, h=5, text=words.get(part, ""))
    pdf.image(qr_png(verify_url), x=232, y=140, w=40, h=40)
    pdf.set_font(FONT, "", 9)
    pdf.set_xy(150, 181)
    pdf.cell(w=122, h=5, text=words.get("verify", ""), align="R")
    pdf.set_xy(150, 186)
    pdf.cell(w=122, h=5, text=words.get("url", ""), align="R")
    return bytes(pdf.output())


def sign_in_pdf(groups, *, language: str = "nl", **context) -> bytes:
    """The sign-in list of a session: `groups` are (organisation name, participants), each
    with a row per person and an empty signature column; `context`: track, edition, meeting."""
    total = sum(len(people) for _, people in groups)
    words = dict(_parts("completion/sign_in_list.txt", language, total=total, **context))
    pdf = _document("P", f"{words.get('title', '')} {words.get('session', '')}", language)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font(FONT, "B", 18)
    pdf.cell(w=0, h=10, text=words.get("title", ""), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    for part in ("session", "when", "where", "count"):
        if part in words:
            pdf.multi_cell(w=0, h=6, text=words[part], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    name_w, sign_w = 100, 90

    def header():
        pdf.set_font(FONT, "B", 10)
        pdf.cell(w=name_w, h=8, text=words.get("name", ""), border=1)
        pdf.cell(w=sign_w, h=8, text=words.get("signature", ""), border=1,
                 new_x="LMARGIN", new_y="NEXT")

    for organisation, people in groups:
        if pdf.get_y() > 250:
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font(FONT, "B", 12)
        pdf.cell(w=0, h=8, text=organisation or words.get("none", ""),
                 new_x="LMARGIN", new_y="NEXT")
        header()
        pdf.set_font(FONT, "", 11)
        for person in people:
            pdf.cell(w=name_w, h=11, text=person.name, border=1)
            pdf.cell(w=sign_w, h=11, text="", border=1, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
