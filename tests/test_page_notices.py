"""PHP error messages and consent banners: told in a text, and taken out of a page."""

from __future__ import annotations

from articles.page_notices import shows_notice, without_notices

STORY = (
    "The council met on Tuesday to discuss the river, the bridge and the new park. "
    "Residents asked for a crossing near the school, and the mayor promised a vote in May. "
    "Work on the park begins in the autumn if the budget passes, the planning office said."
)
PHP_WARNING = (
    "<br />\n<b>Warning</b>:  Use of undefined constant comments - assumed 'comments' in "
    "<b>/var/www/plugins/recent.php</b> on line <b>928</b><br />\n"
)
BANNER = (
    '<div class="widget widget_eu_cookie_law_widget"><div id="eu-cookie-law"><form>'
    "Privacy &amp; Cookies: This site uses cookies. By continuing to use this website, you "
    'agree to their use.<a href="/cookies">Cookie Policy</a></form></div></div>'
)


def test_php_errors_and_short_notices_are_told_from_stories() -> None:
    assert shows_notice(
        "Warning: Use of undefined constant comments - assumed 'comments' in "
        "/var/www/plugins/recent.php on line 928"
    )
    assert shows_notice(f"{STORY}\n\nNotice: Undefined index: id in /var/www/a.php on line 3")
    assert shows_notice("Privacy & Cookies: This site uses cookies. Cookie Policy")
    assert not shows_notice(STORY)
    # A long story that mentions cookies or a warning is a story.
    assert not shows_notice(f"{STORY} Bakers sold cookies at the meeting. {STORY}")
    assert not shows_notice(f"{STORY}\n\nWarning: the bridge closes on line 4 of the timetable.")


def test_the_page_loses_its_php_errors_and_banner_and_keeps_the_story() -> None:
    page = (
        '<html><body class="cookie-consent-given"><div id="page" class="has-cookie-bar">'
        f"<article><h1>Park</h1><p>{STORY}</p><p>{STORY}</p><p>{STORY}</p></article>"
        f"<aside>{PHP_WARNING * 3}</aside>{BANNER}<p>Tail text stays.</p></div></body></html>"
    )

    html, tree = without_notices(page)

    assert tree is not None
    text = tree.text_content()
    assert "Warning" not in html and "recent.php" not in text
    assert "This site uses cookies" not in text and "Cookie Policy" not in text
    # The body and a wrapper named for its cookie bar hold the story: they are no banner.
    assert text.count(STORY) == 3 and "Tail text stays." in text
    assert tree.find(".//body").get("class") == "cookie-consent-given"
