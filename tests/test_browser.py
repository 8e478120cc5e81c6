"""The UI driven as a person would: headless Debian Chromium through Playwright, plus eight
concurrent API sessions. Screenshots of each step are saved (the folder is printed)."""

from __future__ import annotations

import concurrent.futures
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client
from playwright.sync_api import Browser, Page, expect

import rag

from .conftest import CHINA_QUESTION, DOCS, ROOT, SEEDS, ui_server

pytestmark = pytest.mark.slow  # see pyproject.toml: the fast tier leaves these out

SHOTS = Path(os.environ.get("RAG_ARTIFACTS", ROOT / "artifacts")) / "screenshots"
UPLOADED = "IF12672v12-russias-nuclear-weapons.md"
UPLOAD_QUESTION = "Which nuclear weapons has Russia deployed to Belarus?"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("browser")
    engine = rag.RAG(index=root / "index")
    assert engine.ingest([SEEDS.relative_to(ROOT)]).ok
    with ui_server(root / "index", upload_dir=root / "uploads") as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Page:
    return browser.new_page(viewport={"width": 1366, "height": 860})


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
    print(f"screenshot: {SHOTS / name}.png")


def _ask(page: Page, question: str) -> None:
    page.locator("#rag-question textarea").fill(question)
    page.locator("#rag-ask").click()


def test_ask_click_citation_upload_and_delete(app_url: str, tmp_path: Path, page: Page):
    page.goto(app_url)
    expect(page.locator("#rag-chat")).to_contain_text(CHINA_QUESTION)  # example on first open
    _shot(page, "1-first-open")

    _ask(page, CHINA_QUESTION)
    expect(page.locator("#rag-chat a.rag-cite").first).to_have_text("[1]", timeout=60_000)
    _shot(page, "2-answer")
    answer_text = page.locator("#rag-chat").inner_text()
    highlighted = []
    markers = page.locator("#rag-chat a.rag-cite")
    for i in range(markers.count()):
        marker = markers.nth(i)
        marker.click()
        source = page.locator(f"#{marker.get_attribute('data-target')}")
        expect(source).to_have_attribute("open", "")  # clicking [n] opens that source
        expect(source.locator("summary")).to_contain_text("pakistan-us-deals-and-china.md")
        mark = " ".join(source.locator("mark").first.inner_text().split())
        assert mark in " ".join(answer_text.split())  # the quoted sentence is highlighted
        highlighted.append(mark)
    assert any("watching these deals carefully" in m for m in highlighted)
    _shot(page, "3-citation-opened")

    page.get_by_role("tab", name="Documents").click()
    upload = tmp_path / UPLOADED
    shutil.copy(DOCS / UPLOADED, upload)
    page.locator("#rag-upload input[type=file]").set_input_files(str(upload))
    expect(page.locator("#rag-upload-note")).to_contain_text("chunks indexed", timeout=120_000)
    expect(page.locator("#rag-documents")).to_contain_text(UPLOADED)
    _shot(page, "4-uploaded")

    page.get_by_role("tab", name="Chat").click()
    _ask(page, UPLOAD_QUESTION)
    expect(page.locator("#rag-sources details.rag-source").first).to_contain_text(
        UPLOADED, timeout=60_000
    )
    _shot(page, "5-answer-from-upload")

    page.get_by_role("tab", name="Documents").click()
    page.locator("#rag-remove-choice input").click()
    page.get_by_role("option", name=UPLOADED).click()
    page.locator("#rag-remove").click()
    expect(page.locator("#rag-upload-note")).to_contain_text("Removed", timeout=60_000)
    expect(page.locator("#rag-documents")).not_to_contain_text(UPLOADED)
    _shot(page, "6-removed")

    page.get_by_role("tab", name="Chat").click()
    page.locator("#rag-new").click()
    expect(page.locator("#rag-sources .rag-turn")).to_have_count(0)
    _ask(page, UPLOAD_QUESTION)
    expect(page.locator("#rag-sources .rag-turn")).to_contain_text(UPLOAD_QUESTION, timeout=60_000)
    expect(page.locator("#rag-sources")).not_to_contain_text(UPLOADED)
    _shot(page, "7-gone-from-answers")


def test_eight_concurrent_sessions_keep_their_own_history(app_url: str):
    topics = [
        "critical minerals",
        "CPEC",
        "Gwadar port",
        "crypto regulation",
        "Reko Diq",
        "India",
        "Belt and Road",
        "stablecoins",
    ]

    def session(topic: str) -> tuple[str, list, str]:
        client = Client(app_url, verbose=False)
        chat, _sources, *_ = client.predict(f"What is said about {topic}?", [], api_name="/ask")
        chat, sources, *_ = client.predict("Tell me more about it.", chat, api_name="/ask")
        return topic, chat, sources

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(session, topics))
    for topic, chat, sources in results:
        users = [m["content"][0]["text"] for m in chat if m["role"] == "user"]
        assert users == [f"What is said about {topic}?", "Tell me more about it."]
        # The server-side sources panel of this session holds its own two turns only.
        assert sources.count('class="rag-turn"') == 2
        for other in topics:
            if other != topic and other not in topic:
                assert f"What is said about {other}?" not in sources


def test_an_arabic_answer_and_its_passage_read_right_to_left(tmp_path: Path, page: Page):
    from .test_multilingual import DOCUMENTS, QUESTIONS

    question, source, answer = next(q for q in QUESTIONS if q[1] == "library.txt")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / source).write_text(DOCUMENTS[source], encoding="utf-8")
    assert rag.RAG(index=tmp_path / "index").ingest([tmp_path / "docs"]).ok
    with ui_server(tmp_path / "index", upload_dir=tmp_path / "uploads") as url:
        page.goto(url)
        _ask(page, question)
        shown = page.locator("#rag-chat .rag-answer").last
        expect(shown).to_contain_text(answer, timeout=60_000)
        passage = page.locator("#rag-sources .rag-passage").first
        mark = passage.locator("mark").first
        expect(mark).to_contain_text(answer)
        _shot(page, "8-arabic-right-to-left")
        for element in (shown, passage):
            assert element.evaluate("e => getComputedStyle(e).direction") == "rtl"
        # The passage's first letter sits in its right half: laid out right to left.
        first_letter_right = passage.evaluate(
            "p => { const w = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);"
            " const t = w.nextNode(); const r = document.createRange();"
            " r.setStart(t, 0); r.setEnd(t, 1); const box = p.getBoundingClientRect();"
            " return r.getBoundingClientRect().left - box.left > box.width / 2; }"
        )
        assert first_letter_right
