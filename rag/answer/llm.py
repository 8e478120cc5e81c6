"""Language-model backends behind one small protocol, `ChatModel`: anything with
`stream(messages, max_tokens)` can write answers. Two ship with rag, both speaking the
OpenAI-compatible chat API: `OpenAIChatModel` for a server by URL (Ollama, vLLM, LM Studio,
llama.cpp's server, OpenAI) and `LocalGGUFModel` for a GGUF file served in-process by llama.cpp
(xllamacpp) on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..errors import LLMError
from ..settings import Settings

Message = dict[str, str]


@runtime_checkable
class ChatModel(Protocol):
    """A chat model: `messages` are {"role", "content"} dicts; the reply streams as text pieces.
    Implementations raise LLMError when the model cannot be reached or fails mid-reply."""

    name: str

    def stream(self, messages: list[Message], max_tokens: int | None = None) -> Iterator[str]: ...


def complete(model: ChatModel, messages: list[Message], max_tokens: int | None = None) -> str:
    """The whole reply of `model` as one string."""
    return "".join(model.stream(messages, max_tokens))


def chat_model(settings: Settings) -> ChatModel:
    """The model the settings configure: a local GGUF file first, else a server URL."""
    if settings.llm_gguf:
        return LocalGGUFModel(settings.llm_gguf, settings)
    if settings.llm_url:
        return OpenAIChatModel(settings.llm_url, settings)
    raise LLMError("no language model configured: set RAG_LLM_URL or RAG_LLM_GGUF")


class OpenAIChatModel:
    """A chat model on an OpenAI-compatible server, reached through the OpenAI client."""

    def __init__(self, base_url: str, settings: Settings) -> None:
        from openai import OpenAI

        self.name = settings.llm_model
        self.max_tokens = settings.llm_max_tokens
        self._client = OpenAI(
            base_url=base_url,
            api_key=settings.llm_api_key or "not-needed",
            timeout=settings.llm_timeout_s,
            max_retries=0,
        )

    def stream(self, messages: list[Message], max_tokens: int | None = None) -> Iterator[str]:
        """The reply's text as it is generated; LLMError if the server fails at any point."""
        import httpx
        from openai import OpenAIError

        try:
            response = self._client.chat.completions.create(
                model=self.name,
                messages=messages,
                max_tokens=max_tokens or self.max_tokens,
                temperature=0.0,
                stream=True,
            )
            for chunk in response:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except (OpenAIError, httpx.HTTPError, OSError) as exc:  # incl. a server dying mid-stream
            raise LLMError(f"the language model failed: {type(exc).__name__}: {exc}") from exc


class LocalGGUFModel(OpenAIChatModel):
    """A GGUF file served by llama.cpp in this process (started once per file and thread count)
    on a free loopback port, then talked to like any OpenAI-compatible server."""

    def __init__(self, gguf: str, settings: Settings) -> None:
        super().__init__(_local_server(gguf, settings.llm_threads), settings)


_start_lock = threading.Lock()


def _local_server(gguf: str, threads: int) -> str:
    """Start (once per process) llama.cpp's server on a free loopback port; its /v1 URL."""
    path = Path(gguf).expanduser()
    if not path.is_file():
        raise LLMError(f"GGUF model file not found: {path} (check RAG_LLM_GGUF)")
    with _start_lock:
        return _serve(str(path.resolve()), threads)


@cache
def _serve(gguf: str, threads: int) -> str:
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = gguf
    params.n_ctx = 4096
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.port = _free_port()
    params.verbosity = -1  # llama.cpp's own logging would drown the CLI's output
    try:
        server = xllamacpp.Server(params)
    except Exception as exc:  # xllamacpp raises RuntimeError and others for a bad model file
        raise LLMError(f"llama.cpp could not load {gguf}: {exc}") from exc
    _SERVERS.append(server)  # keep it alive for the life of the process
    return server.listening_address.rstrip("/") + "/v1"


_SERVERS: list[object] = []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
