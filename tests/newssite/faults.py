"""Bodies for the fixture site's fault routes: odd charsets, non-HTML files, foreign text."""

from __future__ import annotations

import base64

# Paragraphs inserted into otherwise ordinary articles, each exercising one encoding problem.
LATIN1_PARAGRAPH = (
    "At the caf\u00e9 opposite the town hall, the na\u00efve hope of a quick d\u00e9nouement "
    "had faded by noon; the r\u00e9sum\u00e9 of the M\u00fcller report put the cost at "
    "\u00a312 million, and the thermometer outside read 31\u00b0C as the fa\u00e7ade was "
    "finally unveiled to a crowd of \u00bd the expected size."
)
CP1252_PARAGRAPH = (
    "\u201cWe didn\u2019t expect this,\u201d said the owner of the \u2018Corner Bakery\u2019, "
    "who now pays \u20ac1,200 a month in rent \u2013 almost double last year\u2019s figure "
    "\u2014 and says the council\u2019s promises were \u201cwords, nothing more\u2026\u201d"
)
MOJIBAKE_PARAGRAPH = (
    "\u201cI don\u2019t think anyone saw it coming,\u201d the caf\u00e9 owner said, adding "
    "that the council\u2019s d\u00e9cision had \u2018changed everything\u2019 for the street."
)

GERMAN_TITLE = "Bundesregierung einigt sich auf neues Klimapaket nach langen Verhandlungen"
GERMAN_PARAGRAPHS = (
    "Nach monatelangen Verhandlungen hat sich die Bundesregierung am Mittwochabend auf ein "
    "neues Klimapaket geeinigt. Das teilten Regierungssprecher in Berlin nach einer "
    "n\u00e4chtlichen Sitzung des Koalitionsausschusses mit.",
    "Das Paket sieht vor, dass der Ausbau der erneuerbaren Energien deutlich beschleunigt wird. "
    "Bis zum Jahr 2030 sollen mindestens achtzig Prozent des Stroms aus Wind- und Sonnenenergie "
    "stammen. Zudem sollen Genehmigungsverfahren f\u00fcr neue Windr\u00e4der k\u00fcnftig "
    "nicht l\u00e4nger als sechs Monate dauern.",
    "Die Opposition kritisierte die Einigung als unzureichend. Die Ma\u00dfnahmen kämen viel zu "
    "sp\u00e4t und seien nicht ausreichend finanziert, sagte der Fraktionsvorsitzende im "
    "Bundestag. Umweltverb\u00e4nde begr\u00fc\u00dften dagegen die schnelleren Verfahren, "
    "forderten aber mehr Geld f\u00fcr den \u00f6ffentlichen Nahverkehr.",
    "Auch aus der Wirtschaft kamen gemischte Reaktionen. Der Verband der Industrie erkl\u00e4rte, "
    "die Unternehmen br\u00e4uchten vor allem Planungssicherheit und bezahlbare Strompreise. "
    "Viele Betriebe h\u00e4tten in den vergangenen Jahren bereits erheblich in klimafreundliche "
    "Technik investiert.",
    "Der Bundestag soll sich noch vor der Sommerpause mit dem Gesetzentwurf befassen. "
    "Beobachter rechnen mit einer lebhaften Debatte, da auch innerhalb der Koalition nicht alle "
    "Abgeordneten mit dem Kompromiss zufrieden sind. Eine endg\u00fcltige Abstimmung wird "
    "f\u00fcr den Herbst erwartet.",
)

# Links a crawler must refuse to follow, whatever feed they come from.
PRIVATE_LINKS = (
    "http://10.0.0.1/x.html",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/a.html",
    "ftp://127.0.0.1/a.html",
    "file:///etc/passwd",
    "javascript:alert(1)",
)

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)

# A 16x9 baseline JPEG (PIL-decodable), served for every image on the site.
JPEG_BYTES = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABsSFBcUERsXFhceHBsgKEIrKCUlKFE6PTBCYFVlZF9VXVtqeJmBanGQ"
    "c1tdhbWGkJ6jq62rZ4C8ybqmx5moq6T/2wBDARweHigjKE4rK06kbl1upKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSk"
    "pKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKT/wAARCAAJABADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAA"
    "AAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAk"
    "M2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKT"
    "lJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QA"
    "HwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdh"
    "cRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hp"
    "anN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk"
    "5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwClRRRXYcx//9k="
)


def mojibake(text: str) -> str:
    """`text` as UTF-8 bytes wrongly decoded as Windows-1252: a right quote becomes three."""
    out = []
    for byte in text.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined pass through
            out.append(chr(byte))
    return "".join(out)
