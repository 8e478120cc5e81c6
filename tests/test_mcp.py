"""The MCP server, through the official SDK's client: over stdio (`rag mcp`) and streamable HTTP
(`rag mcp --port`), the tools are listed and `ask` gives a cited answer with `found`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

import rag

from .conftest import CHINA_QUESTION, _wait_for_port, free_port

pytestmark = pytest.mark.slow  # see pyproject.toml: the fast tier leaves these out

ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}


async def _exercise(client: Client) -> None:
    tools = {tool.name for tool in (await client.list_tools()).tools}
    assert tools == {"ask", "search", "list_documents"}  # read-only: no ingest
    answer = (await client.call_tool("ask", {"question": CHINA_QUESTION})).structured_content
    assert answer["found"] is True and answer["citations"]
    first = answer["citations"][0]
    assert first["quote"] and first["quote_spans"] and "Beijing" in answer["text"]
    off_topic = await client.call_tool("ask", {"question": "Who won the 2018 FIFA World Cup?"})
    assert off_topic.structured_content["found"] is False
    documents = (await client.call_tool("list_documents", {})).structured_content["result"]
    assert documents and all(d["uri"].startswith("rag://documents/") for d in documents)
    text = await client.read_resource(documents[0]["uri"])
    assert text.contents[0].text.strip()


def test_mcp_over_stdio(seed_engine: rag.RAG):
    index = str(seed_engine.settings.index_dir)
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "rag.serve.cli", "mcp", "--index", index], env=ENV
    )

    async def run() -> None:
        async with Client(server, read_timeout_seconds=120) as client:
            await _exercise(client)

    anyio.run(run)


def test_mcp_over_http(seed_engine: rag.RAG):
    port = free_port()
    index = str(seed_engine.settings.index_dir)
    process = subprocess.Popen(
        [sys.executable, "-m", "rag.serve.cli", "mcp", "--index", index, "--port", str(port)],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process, "rag mcp")

        async def run() -> None:
            async with Client(f"http://127.0.0.1:{port}/mcp", read_timeout_seconds=120) as client:
                await _exercise(client)

        anyio.run(run)
    finally:
        process.terminate()
        process.wait(30)


def test_mcp_over_http_needs_a_users_token_once_accounts_exist(
    seed_engine: rag.RAG, tmp_path: Path
):
    import httpx
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    index = seed_engine.settings.index_dir
    chats = rag.Chats(rag.RAG(index=index, state_dir=str(tmp_path)))
    chats.add_user("ann", "ann's long password", "reader")
    token = chats.new_token("ann")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "rag.serve.cli", "mcp", "--index", str(index), "--port", str(port)],
        env={**ENV, "RAG_STATE_DIR": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        _wait_for_port(port, process, "rag mcp")
        hello = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        assert httpx.post(url, json=hello).status_code == 401
        forged = {"Authorization": "Bearer rag_forged"}
        assert httpx.post(url, json=hello, headers=forged).status_code == 401

        async def run() -> None:
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx2.AsyncClient(headers=headers, timeout=120) as http:
                transport = streamable_http_client(url, http_client=http)
                async with Client(transport, read_timeout_seconds=120) as client:
                    await _exercise(client)

        anyio.run(run)
    finally:
        process.terminate()
        process.wait(30)
