"""Language-model backends behind one code path, the OpenAI-compatible chat API: a remote server
(Ollama, vLLM, LM Studio, llama.cpp's server, OpenAI) by URL, or a local GGUF file served
in-process by llama.cpp (xllamacpp) on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from .errors import RagError
from .settings import Settings


class LLMError(RagError):
    """The language model could not be reached or failed mid-answer."""


class LLM:
    """A chat model reached through the OpenAI client."""

    def __init__(self, settings: Settings) -> None:
        from openai import OpenAI

        if settings.llm_gguf:
            base_url = _local_server(settings.llm_gguf, settings.llm_threads)
        elif settings.llm_url:
            base_url = settings.llm_url
        else:
            raise LLMError("no language model configured: set RAG_LLM_URL or RAG_LLM_GGUF")
        self.model = settings.llm_model
        self.max_tokens = settings.llm_max_tokens
        self._client = OpenAI(
            base_url=base_url,
            api_key=settings.llm_api_key or "not-needed",
            timeout=settings.llm_timeout_s,
            max_retries=0,
        )

    def stream(
        self, messages: list[dict[str, str]], max_tokens: int | None = None
    ) -> Iterator[str]:
        """The reply's text as it is generated; LLMError if the server fails at any point."""
        import httpx
        from openai import OpenAIError

        try:
            response = self._client.chat.completions.create(
                model=self.model,
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

    def complete(self, messages: list[dict[str, str]], max_tokens: int | None = None) -> str:
        return "".join(self.stream(messages, max_tokens))


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
