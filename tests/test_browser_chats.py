"""Stored conversations driven as a person would, in headless Debian Chromium: reload, restart,
rename, search, export, rate, delete; and two accounts that never see each other's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

import rag

from .conftest import CHINA_QUESTION, ROOT, SEEDS, free_port, ui_server
from .test_browser import _ask, _shot

pytestmark = pytest.mark.slow

SECOND = "What did Pakistan offer the US?"


@pytest.fixture
def index(tmp_path: Path) -> Path:
    engine = rag.RAG(index=tmp_path / "index")
    assert engine.ingest([SEEDS.relative_to(ROOT)]).ok
    return tmp_path / "index"


def _answered(page: Page, question: str, turns: int) -> None:
    _ask(page, question)
    expect(page.locator("#rag-sources .rag-turn")).to_have_count(turns, timeout=60_000)
    expect(page.locator("#rag-conversations")).to_contain_text(CHINA_QUESTION, timeout=30_000)


def _feedback_export(index: Path, tmp_path: Path) -> list[dict]:
    cases = tmp_path / "open.jsonl"
    subprocess.run(
        [sys.executable, "-m", "rag.serve.cli", "feedback", "export", "--open", str(cases)],
        cwd=ROOT,
        env={**os.environ, "RAG_INDEX_DIR": str(index)},
        check=True,
        capture_output=True,
    )
    return [json.loads(line) for line in cases.read_text().splitlines()]


def test_a_conversation_survives_reload_and_restart_and_is_managed_from_its_list(
    browser: Browser, index: Path, tmp_path: Path
):
    port = free_port()
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    with ui_server(index, tmp_path / "uploads", port=port) as url:
        page.goto(url)
        _answered(page, CHINA_QUESTION, 1)
        _answered(page, SECOND, 2)
        page.reload()
        # Both turns and their sources are back, and a citation still opens its passage.
        expect(page.locator("#rag-sources .rag-turn")).to_have_count(2, timeout=30_000)
        expect(page.locator("#rag-chat")).to_contain_text(CHINA_QUESTION)
        expect(page.locator("#rag-chat")).to_contain_text(SECOND)
        marker = page.locator("#rag-chat a.rag-cite").first
        marker.click()
        source = page.locator(f"#{marker.get_attribute('data-target')}")
        expect(source).to_have_attribute("open", "")
        expect(source.locator("mark").first).not_to_be_empty()
        quotes = [" ".join(m.split()) for m in page.locator("#rag-sources mark").all_inner_texts()]
        _shot(page, "chats-1-reloaded")

        # A thumbs down with a comment reaches `rag feedback export`.
        page.locator("#rag-chat button[aria-label=Dislike]").first.click()
        expect(page.locator("#rag-feedback-note")).to_contain_text("rated", timeout=30_000)
        page.locator("#rag-comment textarea").fill("It leaves out India's view")
        page.locator("#rag-send-feedback").click()
        expect(page.locator("#rag-feedback-note")).to_contain_text("saved", timeout=30_000)
        (case,) = _feedback_export(index, tmp_path)
        assert (case["q"], case["comment"]) == (CHINA_QUESTION, "It leaves out India's view")

    with ui_server(index, tmp_path / "uploads", port=port) as url:  # a restart
        page.goto(url)
        expect(page.locator("#rag-conversations")).to_contain_text(CHINA_QUESTION, timeout=30_000)
        expect(page.locator("#rag-sources .rag-turn")).to_have_count(2, timeout=30_000)
        page.locator("#rag-manage").click()

        # Export: a Markdown file whose footnotes hold every quote.
        with page.expect_download() as download:
            page.locator("#rag-export-md").click()
        markdown = Path(download.value.path()).read_text(encoding="utf-8")
        assert markdown.startswith(f"# {CHINA_QUESTION}")
        footnotes = [line for line in markdown.splitlines() if line.startswith("[^")]
        assert quotes and all(any(q in f for f in footnotes) for q in quotes)

        # Rename, then search the list by words.
        page.locator("#rag-title textarea").fill("Pakistan and China")
        page.locator("#rag-rename").click()
        expect(page.locator("#rag-conversations")).to_contain_text("Pakistan and China")
        page.locator("#rag-new").click()
        expect(page.locator("#rag-sources .rag-turn")).to_have_count(0)
        _ask(page, "What is said about stablecoins?")
        expect(page.locator("#rag-conversations label")).to_have_count(2, timeout=60_000)
        page.locator("#rag-search textarea").fill("china")
        expect(page.locator("#rag-conversations label")).to_have_count(1)
        expect(page.locator("#rag-conversations")).to_contain_text("Pakistan and China")
        page.locator("#rag-search textarea").fill("stablecoins")
        expect(page.locator("#rag-conversations label")).to_have_count(1)
        expect(page.locator("#rag-conversations")).to_contain_text("stablecoins")
        page.locator("#rag-search textarea").fill("")
        expect(page.locator("#rag-conversations label")).to_have_count(2)
        _shot(page, "chats-2-renamed-and-searched")

        # Open the older one from the list, then delete it (confirmed): only the other is left.
        page.locator("#rag-conversations label", has_text="Pakistan and China").click()
        expect(page.locator("#rag-sources .rag-turn")).to_have_count(2, timeout=30_000)
        expect(page.locator("#rag-chat")).to_contain_text(SECOND)
        page.locator("#rag-delete").click()
        page.locator("#rag-delete-yes").click()
        expect(page.locator("#rag-conversations label")).to_have_count(1, timeout=30_000)
        expect(page.locator("#rag-conversations")).to_contain_text("stablecoins")
        expect(page.locator("#rag-conversations")).not_to_contain_text("Pakistan and China")
        expect(page.locator("#rag-sources .rag-turn")).to_have_count(0)


def test_two_accounts_see_only_their_own_conversations_and_a_reader_cannot_upload(
    browser: Browser, index: Path, tmp_path: Path
):
    chats = rag.Chats(rag.RAG(index=index))
    chats.add_user("ann", "ann's long password", "reader")
    chats.add_user("bob", "bob's long password", "editor")
    with ui_server(index, tmp_path / "uploads") as url:
        pages = {}
        for name, question in (("ann", CHINA_QUESTION), ("bob", SECOND)):
            page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
            page.goto(url)
            page.get_by_label("username").fill(name)
            page.get_by_label("password").fill("wrong password")
            page.get_by_role("button", name="Login").click()
            expect(page.get_by_text("Incorrect credentials")).to_be_visible(timeout=30_000)
            page.get_by_label("username").fill(name)  # the form was cleared
            page.get_by_label("password").fill(f"{name}'s long password")
            page.get_by_role("button", name="Login").click()
            _ask(page, question)
            expect(page.locator("#rag-sources .rag-turn")).to_have_count(1, timeout=60_000)
            pages[name] = page
        for name, mine, theirs in (
            ("ann", CHINA_QUESTION, SECOND),
            ("bob", SECOND, CHINA_QUESTION),
        ):
            page = pages[name]
            page.reload()
            expect(page.locator("#rag-conversations")).to_contain_text(mine, timeout=30_000)
            expect(page.locator("#rag-conversations label")).to_have_count(1)
            expect(page.locator("#rag-conversations")).not_to_contain_text(theirs)
        _shot(pages["ann"], "chats-3-ann")

        reader = pages["ann"]
        reader.get_by_role("tab", name="Documents").click()
        upload = tmp_path / "notes.md"
        upload.write_text("Notes a reader may not add to the index.\n", encoding="utf-8")
        reader.locator("#rag-upload input[type=file]").set_input_files(str(upload))
        expect(reader.locator("#rag-upload-note")).to_contain_text("403", timeout=60_000)
        assert not (tmp_path / "uploads" / "notes.md").exists()
        seed = "seeds/cpec-primer.md"
        reader.locator("#rag-remove-choice input").click()
        reader.get_by_role("option", name=seed).click()
        reader.locator("#rag-remove").click()
        expect(reader.locator("#rag-upload-note")).to_contain_text("403 Forbidden: ann is a reader")
        expect(reader.locator("#rag-documents")).to_contain_text(seed)
        assert seed in [d.source for d in rag.RAG(index=index).documents()]
