"""The served app in a real headless Chromium, as a person meets it: uploads, a broken
file, hostile text, editing and saving (two replicas on one PostgreSQL among them), the
workshop pack, signing in (see :mod:`tests.browsing` for what is needed)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from cxprio import load_catalogue
from cxprio.method.scoring import score
from cxprio.store.versions import Store

from .browsing import (
    ARTIFACTS,
    ROOM_ADDRESS,
    ROOM_WEIGHTS,
    expect,
    open_page,
    serve,
    settle,
)
from .conftest import ROOT, SAMPLE, catalogue_dict, dump, imported

pytestmark = pytest.mark.browser


def test_uploading_an_invalid_catalogue_shows_errors_and_keeps_the_board(
    page: Any, server: str, tmp_path: Path
) -> None:
    data = catalogue_dict()
    data["experiences"][0]["level"] = "jorney"
    broken = tmp_path / "broken.yaml"
    broken.write_text(dump(data))
    open_page(page, server, "catalogue", "Catalogue")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(broken))
    page.get_by_text("is not valid").first.wait_for()
    settle(page)
    assert page.get_by_text("did you mean 'journey'?").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "catalogue-invalid-upload.png"), full_page=True)
    open_page(page, server, "", "Northwind Energy")


@pytest.mark.parametrize(("path", "heading"), [("priorities", "Priorities"), ("ambition", "Ambition board")])
def test_a_page_opened_first_on_a_fresh_server_gets_the_whole_board(
    browser: Any, path: str, heading: str
) -> None:
    with serve() as fresh:
        context = browser.new_context(viewport={"width": 1600, "height": 1200})
        page = context.new_page()
        page.set_default_timeout(45_000)
        open_page(page, fresh, path, heading)
        assert page.title() == f"{heading} · cxprio"
        links = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]')
        labels = [
            "Overview",
            "Priorities",
            "Ambition board",
            "Ownership & seams",
            "Decision rights",
            "Catalogue",
            "Edit",
            "History",
            "Quarter on quarter",
            "Workshop rounds",
            "Workshop pack",
        ]
        expect(links).to_have_count(len(labels))
        for link, label in zip(links.all(), labels, strict=True):
            expect(link).to_contain_text(label)
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # no second, automatic list
        reach = page.locator('[data-testid="stSlider"]').filter(has_text="Reach")
        weight = load_catalogue(SAMPLE).catalogue.scoring.weights.reach
        expect(reach.locator('[data-testid="stSliderThumbValue"]')).to_have_text(f"{weight:.2f}")
        expect(page.get_by_text("Reset to the catalogue's weights").first).to_be_visible()
        assert page.locator('[data-testid="stException"]').count() == 0
        context.close()


def test_a_broken_file_leaves_the_last_good_board_for_this_session_and_every_new_one(
    browser: Any, tmp_path: Path
) -> None:
    live = tmp_path / "live.yaml"
    original = dump(catalogue_dict()).encode()
    live.write_bytes(original)
    with serve(live) as fresh:
        context = browser.new_context(viewport={"width": 1600, "height": 1600}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(45_000)
        open_page(page, fresh, "catalogue", "Catalogue")
        live.write_text("version: 1\norganisation: [broken\n")
        slider = page.locator('[data-testid="stSlider"]').filter(has_text="Depth").get_by_role("slider")
        slider.focus()
        slider.press("ArrowRight")  # any interaction reruns the page, which reads the file again
        page.get_by_text("the board still shows the last version that loaded").first.wait_for()
        settle(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Catalogue (YAML)").click()
        assert Path(download.value.path()).read_bytes() == original
        context.close()

        # A visitor who never saw the good version: a refresh, or anyone joining the room.
        for path, heading in (("", "Test Energy"), ("decisions", "Decision rights")):
            visitor = browser.new_context(viewport={"width": 1280, "height": 720})
            page = visitor.new_page()
            page.set_default_timeout(45_000)
            page.goto(f"{fresh}/{path}")
            page.get_by_role("heading", name=heading, exact=True).first.wait_for()
            notice = page.get_by_text("the board still shows the last version that loaded").first
            notice.wait_for()
            page.get_by_text("Catalogue: live.yaml").first.wait_for()  # the sidebar, drawn
            settle(page)
            error = page.locator('[data-testid="stAlert"]').filter(has_text="live.yaml:3:1")  # the YAML's end
            expect(error).to_contain_text("this is not valid YAML")
            expect(error).to_contain_text("↳ check the indentation")
            assert page.get_by_text("The catalogue could not be loaded").count() == 0
            page.screenshot(path=str(ARTIFACTS / f"broken-file-new-session-{path or 'overview'}.png"))
            visitor.close()


HOSTILE = (  # each attack once, within a name's 200 characters with "Trigger " before it
    "**Bold** [link](javascript:alert(1)) ![p](http://127.0.0.1:9/tracker.png) "
    "<img src=x onerror=alert(1)> <script>alert(2)</script> :red[hue] $x^2$ _it_ `code` "
    "www.example.com/track m@example.com"
)


def test_catalogue_text_with_markdown_html_and_links_is_shown_as_plain_text(
    browser: Any, tmp_path: Path
) -> None:
    data = catalogue_dict(organisation=f"Org {HOSTILE}")
    data["teams"][0]["name"] = f"Team {HOSTILE}"
    data["experiences"][0]["name"] = f"Trigger {HOSTILE}"
    path = tmp_path / "hostile.yaml"
    path.write_text(dump(data))
    pages = [
        ("", f"Org {HOSTILE}"),
        ("priorities", "Priorities"),
        ("ambition", "Ambition board"),
        ("ownership", "Ownership & seams"),
        ("decisions", "Decision rights"),
        ("catalogue", "Catalogue"),
    ]
    with serve(path) as fresh:
        context = browser.new_context(viewport={"width": 1600, "height": 1600})
        page = context.new_page()
        page.set_default_timeout(45_000)
        for path_name, heading in pages:
            open_page(page, fresh, path_name, heading)
            body = page.locator("body")
            hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
            from_names = [
                h for h in hrefs if not h.startswith("#") and re.search(r"javascript|tracker|example", h)
            ]
            assert from_names == [], f"links made from catalogue text on /{path_name}: {from_names}"
            assert page.locator('img[src*="tracker"], img[src="x"]').count() == 0
            assert page.locator("script:has-text('alert(2)')").count() == 0
            assert (
                page.locator('[data-testid="stMarkdown"] [style*="color"]').filter(has_text="hue").count()
                == 0
            )
            assert page.locator(".katex").count() == 0
            text = str(body.inner_text()).replace("\u200b", "")
            assert "\\" not in text.replace("\\\\", ""), f"a stray backslash on /{path_name}"
        # The organisation's name, whole and literal, in the title and the sidebar.
        open_page(page, fresh, "", f"Org {HOSTILE}")
        sidebar = str(page.locator('[data-testid="stSidebar"]').inner_text()).replace("\u200b", "")
        assert f"Org {HOSTILE}" in sidebar
        page.screenshot(path=str(ARTIFACTS / "hostile-names.png"), full_page=True)
        context.close()


def test_an_editor_saves_a_change_that_lands_in_the_file_and_the_history(
    browser: Any, tmp_path: Path
) -> None:
    live = tmp_path / "experiences.yaml"
    shutil.copy(SAMPLE, live)
    before = live.read_text(encoding="utf-8")
    store_path = tmp_path / "store.db"
    with serve(live, store_path) as fresh:
        store = Store(f"sqlite:///{store_path}")
        page = browser.new_page(viewport={"width": 1600, "height": 1400})
        page.set_default_timeout(45_000)
        page.goto(fresh)
        page.get_by_role("heading", name="Northwind Energy").first.wait_for()
        imported(f"sqlite:///{store_path}")  # the board imports its file in the background
        open_page(page, fresh, "edit", "Edit an experience")
        page.get_by_label("Your name, for the change history").fill("Ana")
        page.keyboard.press("Enter")
        depth = page.get_by_role("spinbutton", name="Depth (1-5)")
        depth.wait_for()
        settle(page)
        experience = load_catalogue(SAMPLE).catalogue.experience(
            str(score(load_catalogue(SAMPLE).catalogue).table["id"].iloc[0])
        )
        new_depth = 1 if experience.measures.depth != 1 else 2
        depth.fill(str(new_depth))
        page.get_by_label("Why (saved with the change)").fill("re-scored in the workshop")
        page.get_by_role("button", name="Save as a new version").click()
        page.get_by_text("Saved as version 2").first.wait_for()
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "edit-saved.png"), full_page=True)
        after = live.read_text(encoding="utf-8")
        changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
        assert len(changed) == 1 and f"depth: {new_depth}" in changed[0][1]
        rows = store.audit(2)
        assert [(r.author, r.experience, r.field, r.new) for r in rows] == [
            ("Ana", experience.id, "measures.depth", str(new_depth))
        ]
        store.close()


def _edit_form(page: Any, server: str, name: str, experience: str) -> None:
    """Open the Edit page as ``name`` on ``experience``'s form."""
    open_page(page, server, "edit", "Edit an experience")
    if page.get_by_text("Editing as").count() == 0:  # this browser has not signed in yet
        page.get_by_label("Your name, for the change history").fill(name)
        page.keyboard.press("Enter")
    picker = page.get_by_label("Experience", exact=True)
    picker.wait_for()
    settle(page)
    picker.click()
    page.keyboard.type(experience)  # the list shows what matches what is typed
    page.get_by_role("option", name=experience, exact=True).click()
    page.get_by_text(f"{experience} ·").first.wait_for()
    settle(page)


def test_two_replicas_on_one_postgresql_merge_saves_keep_their_files_and_name_a_clash(
    browser: Any, tmp_path: Path
) -> None:
    from .conftest import postgres_database

    catalogue = load_catalogue(SAMPLE).catalogue
    first, second = catalogue.experiences[0], catalogue.experiences[4]
    replicas = [tmp_path / "a" / "experiences.yaml", tmp_path / "b" / "experiences.yaml"]
    for path in replicas:  # each replica has the catalogue file of its own deployment
        path.parent.mkdir()
        shutil.copy(SAMPLE, path)
    with postgres_database() as url, serve(replicas[0], url) as a, serve(replicas[1], url) as b:
        store = Store(url)
        pages = []
        for _ in range(2):
            context = browser.new_context(viewport={"width": 1600, "height": 1400})
            tab = context.new_page()
            tab.set_default_timeout(45_000)
            pages.append(tab)
        pages[0].goto(a)
        pages[0].get_by_role("heading", name="Northwind Energy").first.wait_for()
        imported(url)  # the first replica imports the file in the background

        # A save on one replica is seen on the other.
        _edit_form(pages[0], a, "Ana", first.name)
        pages[0].get_by_role("spinbutton", name="Depth (1-5)").fill("1" if first.measures.depth != 1 else "2")
        pages[0].get_by_label("Why (saved with the change)").fill("from replica A")
        pages[0].get_by_role("button", name="Save as a new version").click()
        pages[0].get_by_text("Saved as version 2").first.wait_for()
        open_page(pages[1], b, "history", "History")
        expect(pages[1].locator('[data-testid="stSidebar"]')).to_contain_text("Version 2")
        expect(
            pages[1].locator('[data-testid="stMetric"]').filter(has_text="Edited on the board")
        ).to_contain_text("1")

        # Two editors, one on each replica, save at once from the same version.
        for page, server, name in ((pages[0], a, "Ana"), (pages[1], b, "Ben")):
            _edit_form(page, server, name, second.name)
        pages[0].get_by_label("Why (saved with the change)").fill("A's reason")
        pages[0].get_by_role("spinbutton", name="Depth (1-5)").fill(
            "1" if second.measures.depth != 1 else "2"
        )
        pages[1].get_by_label("Why (saved with the change)").fill("B's reason")
        pages[1].get_by_role("spinbutton", name="Reach (customers a year)").fill("1234")
        for page in pages:
            page.get_by_role("button", name="Save as a new version").click()
        said = []
        for page in pages:  # different values: both land, the second on top of the first
            done = page.get_by_text(re.compile(r"Saved as version [34]"))
            expect(done.first).to_be_visible()
            said.append(done.first.inner_text())
        assert sorted(t[: len("Saved as version 3")] for t in said) == [
            "Saved as version 3",
            "Saved as version 4",
        ]
        assert any("saved other values meanwhile" in t for t in said), said
        assert [v.id for v in store.history()] == [1, 2, 3, 4]
        text = store.text(4)
        entry = next(e for e in yaml.safe_load(text)["experiences"] if e["id"] == second.id)
        assert entry["measures"]["reach"] == 1234 and entry["measures"]["depth"] != second.measures.depth
        for page, server, path in ((pages[0], a, replicas[0]), (pages[1], b, replicas[1])):
            deadline = time.monotonic() + 60
            while path.read_text(encoding="utf-8") != text:  # each replica's file follows the store
                assert time.monotonic() < deadline, f"{path} never caught up with version 4"
                open_page(page, server, "history", "History")

        # The same value from both replicas: one lands, the other is told whose it is.
        for page, server, name in ((pages[0], a, "Ana"), (pages[1], b, "Ben")):
            _edit_form(page, server, name, first.name)
        for page, value, why in ((pages[0], "3", "A again"), (pages[1], "4", "B again")):
            page.get_by_role("spinbutton", name="Depth (1-5)").fill(value)
            page.get_by_label("Why (saved with the change)").fill(why)
        for page in pages:
            page.get_by_role("button", name="Save as a new version").click()
        outcomes = []
        for page in pages:
            saved = page.get_by_text("Saved as version 5")
            refused = page.get_by_text("Someone saved the same values")
            expect(saved.or_(refused).first).to_be_visible()
            outcomes.append("saved" if saved.count() else "refused")
        assert sorted(outcomes) == ["refused", "saved"]
        assert [v.id for v in store.history()] == [1, 2, 3, 4, 5]
        loser = pages[outcomes.index("refused")]
        expect(loser.get_by_role("button", name="Put my values over theirs")).to_be_visible()
        loser.screenshot(path=str(ARTIFACTS / "edit-refused.png"), full_page=True)
        store.close()


def test_the_workshop_pack_from_the_overview_is_the_clis_and_opens(
    page: Any, server: str, tmp_path: Path
) -> None:
    import zipfile

    import openpyxl
    from pptx import Presentation

    cli_zip = tmp_path / "cli.zip"
    written = subprocess.run(
        [sys.executable, "-m", "cxprio", "report", str(SAMPLE), "--format", "zip", "--weights", ROOM_ADDRESS,
         "--no-history", "--out", str(cli_zip)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    open_page(page, server, f"?weights={ROOM_ADDRESS}", "Northwind Energy")
    page.get_by_role("button", name="Prepare: Workshop pack").click()
    download_button = page.get_by_role("button", name="Download: Workshop pack")
    download_button.wait_for(timeout=120_000)  # built in the background, its progress shown meanwhile
    settle(page)
    with page.expect_download() as download:
        download_button.click()
    assert download.value.suggested_filename == "experiences-workshop-pack.zip"
    data = Path(download.value.path()).read_bytes()
    assert data == cli_zip.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as pack:
        book = openpyxl.load_workbook(io.BytesIO(pack.read("experiences.xlsx")))
        assert book["Priorities"].freeze_panes == "A2"
        deck = Presentation(io.BytesIO(pack.read("experiences.pptx")))
        top = score(load_catalogue(SAMPLE).catalogue, weights=ROOM_WEIGHTS).table["name"].iloc[0]
        assert deck.slides[1].shapes.title.text.startswith(f"{top} leads")  # the slide's message
        report = tmp_path / "report.html"
        report.write_bytes(pack.read("experiences.html"))
    # The report opens in the browser with no network, its charts drawn.
    page.context.route(
        "**/*",
        lambda route: route.abort() if not route.request.url.startswith("file:") else route.continue_(),
    )
    page.goto(report.as_uri())
    page.get_by_role("heading", name="Top 25 priorities").wait_for()
    assert page.locator("figure svg").count() >= 5
    page.set_viewport_size({"width": 1280, "height": 720})
    page.screenshot(path=str(ARTIFACTS / "pack-report.png"))
    # Printed on A4 by the same Chromium: a few pages, looked at as pictures (tests/artifacts).
    pdf = page.pdf(format="A4", path=str(ARTIFACTS / "pack-report-a4.pdf"))
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 2 <= pages <= 12, pages


def test_the_pack_page_offers_every_format_with_progress_then_a_download(page: Any, server: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    open_page(page, server, "pack", "Workshop pack")
    for label in ("Report", "Workbook", "Slides"):
        page.get_by_role("button", name=f"Prepare: {label}", exact=True).wait_for()
    page.get_by_role("button", name="Prepare: Slides", exact=True).click()
    page.get_by_role("button", name="Download: Slides").wait_for(timeout=120_000)
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "pack-page-1280x720.png"))


def test_an_editor_stays_one_in_a_reloaded_and_a_new_tab_until_signing_out(
    browser: Any, tmp_path: Path
) -> None:
    """The passcode is typed once per browser session: a reload, a new tab and another
    page keep the editor, and Sign out ends it in every tab."""
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[cxprio]\neditor_passcode = "s3cret-passcode"\n', encoding="utf-8")
    live = tmp_path / "experiences.yaml"
    shutil.copy(SAMPLE, live)
    with serve(live, tmp_path / "store.db", secrets=secrets) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(45_000)
        imported_from = f"sqlite:///{tmp_path / 'store.db'}"
        page.goto(base)
        page.get_by_role("heading", name="Northwind Energy").first.wait_for()
        imported(imported_from)
        open_page(page, base, "edit", "Edit an experience")
        page.get_by_label("Editor passcode").fill("s3cret-passcode")
        page.get_by_label("Your name, for the change history").fill("Ana")
        page.keyboard.press("Enter")
        page.get_by_text("Editing as").first.wait_for()
        settle(page)

        def editor_on(tab: Any, path: str, heading: str) -> bool:
            open_page(tab, base, path, heading)
            tab.get_by_text("Editing as").first.wait_for()
            return tab.get_by_label("Editor passcode").count() == 0

        page.reload()
        page.get_by_role("heading", name="Edit an experience").first.wait_for()
        page.get_by_text("Editing as").first.wait_for()  # a reload keeps the editor
        settle(page)
        assert page.get_by_label("Editor passcode").count() == 0
        other = context.new_page()  # a new tab of the same browser
        other.set_default_timeout(45_000)
        assert editor_on(other, "quarters", "Quarter on quarter")
        page.get_by_role("button", name="Sign out").click()
        page.get_by_label("Editor passcode").first.wait_for()
        settle(page)
        assert "cxprio_editor=" not in page.evaluate("document.cookie")
        third = context.new_page()
        third.set_default_timeout(45_000)
        open_page(third, base, "edit", "Edit an experience")
        third.get_by_label("Editor passcode").wait_for()  # signed out in the browser too
        assert third.get_by_text("Editing as").count() == 0
        fresh = browser.new_context().new_page()  # another browser session: never an editor
        fresh.set_default_timeout(45_000)
        open_page(fresh, base, "edit", "Edit an experience")
        fresh.get_by_label("Editor passcode").wait_for()
        assert fresh.get_by_text("Editing as").count() == 0
        context.close()
