"""The HTTP API for developers on other machines: `POST /api/query` and `POST /api/ingest`, served
next to the UI. FastAPI (already under Gradio) validates requests and publishes the schema at
`/api/openapi.json`, so the API documents itself. It calls only the public `RAG` API."""

# No `from __future__ import annotations` here: FastAPI reads these annotations at run time,
# including ones that name local objects.
import html
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from fastapi import Depends, FastAPI, File, HTTPException, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.security import (
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
)
from pydantic import BaseModel, Field

from ..api import RAG
from ..chats import Chats
from ..errors import Forbidden, InvalidInput, RagError
from ..types import Answer, FileFailure, IngestReport, User
from .chats_api import conversation_routes

API_PREFIX = "/api"
# The caller when no account exists: the loopback-only default, one person's machine.
LOCAL = User("local", "admin")


class Message(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class QueryRequest(BaseModel):
    """A question, with earlier turns of the conversation so follow-ups resolve."""

    question: str = Field(min_length=1, examples=["How does China view these deals?"])
    history: list[Message | str] = Field(
        default_factory=list, description="earlier turns, oldest first"
    )
    k: int | None = Field(default=None, ge=1, le=100, description="passages to consider")
    mode: Literal["extractive", "generative"] = Field(
        default="extractive",
        description="extractive: quotes only; generative: a language model's verified answer "
        "(needs a model configured on the server)",
    )
    sources: list[str] | None = Field(
        default=None,
        description="answer only from these documents: indexed file paths, folders or glob "
        "patterns (e.g. ['reports/*.pdf']); omitted: every document",
    )


@dataclass
class StatusResponse:
    index: str
    documents: int
    chunks: int
    model: str
    generative: bool


@dataclass
class IngestResponse:
    """One report per uploaded file, in upload order."""

    reports: list[IngestReport] = field(default_factory=list)


def create_app(engine: RAG, chats: Chats | None = None) -> FastAPI:
    """A FastAPI app with the API routes; the UI mounts itself on it. Once accounts exist (or
    `RAG_UI_AUTH` is set), every route needs a caller: a user's token (`Authorization: Bearer`,
    from `rag users token`) or their login as HTTP Basic."""
    app = FastAPI(
        title="rag",
        summary="Ask questions of your own documents; answers cite exact passages.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    chats = chats or Chats(engine)
    basic = HTTPBasic(auto_error=False)
    bearer = HTTPBearer(auto_error=False)

    def caller(
        login: Annotated[HTTPBasicCredentials | None, Depends(basic)],
        token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> User:
        user = None
        if token is not None:
            user = chats.token_user(token.credentials)
        elif login is not None:
            user = chats.login(login.username, login.password)
        elif not chats.accounts:
            return LOCAL  # no accounts: the loopback-only default, one local user
        if user is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "this server requires a login: send a token (Authorization: Bearer, from "
                "`rag users token NAME`) or HTTP Basic credentials",
                headers={"WWW-Authenticate": "Basic"},
            )
        return user

    def editor(user: Annotated[User, Depends(caller)]) -> User:
        try:
            Chats.require(user, "editor")
        except Forbidden as exc:
            raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from None
        return user

    guarded = [Depends(caller)]
    app.include_router(conversation_routes(chats, caller), prefix=API_PREFIX)

    @app.post(f"{API_PREFIX}/query", dependencies=guarded)
    async def query(request: QueryRequest) -> Answer:
        """Answer a question from the indexed documents, with citations (source, character
        offsets into the document's text, and the exact quoted spans)."""
        if request.mode == "generative":
            if not engine.generative_available:
                raise HTTPException(
                    status.HTTP_400_BAD_REQUEST,
                    "mode 'generative' needs a language model: start the server with "
                    "--llm-url or --gguf (RAG_LLM_URL / RAG_LLM_GGUF)",
                )
        history = [m if isinstance(m, str) else m.model_dump() for m in request.history]
        try:
            # The pipeline is blocking (model inference): keep it off the event loop.
            return await run_in_threadpool(
                engine.query, request.question, history, request.k, request.mode, request.sources
            )
        except RagError as exc:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None

    @app.post(f"{API_PREFIX}/ingest", dependencies=[Depends(editor)])
    async def ingest(files: Annotated[list[UploadFile], File()]) -> IngestResponse:
        """Upload documents and index them (the editor role, once accounts exist). Names are
        sanitised into the server's upload folder. Each file gets its own report; a refused file
        (empty, oversized, unsupported) is listed under `failed` with the reason, and the other
        files are still indexed."""
        limit = engine.settings.max_upload_mb * 1e6
        refused: dict[int, IngestReport] = {}
        uploads = []
        with tempfile.TemporaryDirectory() as folder:
            for n, upload in enumerate(files):
                name = upload.filename or ""
                staged = Path(folder) / f"upload-{n}"
                # Stop reading at the size limit, so an oversized upload cannot fill the disk.
                size = 0
                with staged.open("wb") as handle:
                    while size <= limit and (block := await upload.read(1 << 20)):
                        handle.write(block)
                        size += len(block)
                if size > limit:
                    reason = (
                        f"{name!r} is over the {limit / 1e6:.0f} MB upload limit "
                        "(raise RAG_MAX_UPLOAD_MB)"
                    )
                    refused[n] = IngestReport(failed=[FileFailure(name, reason)])
                else:
                    uploads.append((name, staged))
            # One ingest for all: the search snapshot is rebuilt once, not once a file.
            try:
                indexed = iter(await run_in_threadpool(engine.add_uploads, uploads))
            except RagError as exc:  # e.g. another process holds the index's write lock
                failed = [IngestReport(failed=[FileFailure(name, str(exc))]) for name, _ in uploads]
                indexed = iter(failed)
        reports = [refused[n] if n in refused else next(indexed) for n in range(len(files))]
        return IngestResponse(reports)

    @app.delete(
        f"{API_PREFIX}/documents",
        dependencies=[Depends(editor)],
        status_code=status.HTTP_204_NO_CONTENT,
    )
    async def remove(source: str) -> None:
        """Remove one document from the index (`source` as `/api/status` and citations name
        it; the file itself stays). The editor role, once accounts exist; 404 if not indexed."""
        try:
            removed = await run_in_threadpool(engine.remove, source)
        except RagError as exc:  # e.g. another process holds the index's write lock
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
        if not removed:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"{source!r} is not indexed")

    @app.get(f"{API_PREFIX}/status", dependencies=guarded)
    async def index_status() -> StatusResponse:
        """How many documents and chunks are indexed, and with which model."""
        current = await run_in_threadpool(engine.status)
        return StatusResponse(
            index=current.index,
            documents=current.documents,
            chunks=current.chunks,
            model=current.model,
            generative=engine.generative_available,
        )

    @app.get(f"{API_PREFIX}/files/{{document_id}}", dependencies=guarded)
    async def indexed_file(document_id: str) -> FileResponse:
        """The original file of an indexed document, by the id in its citation links (never by
        path). A PDF opens in the browser's viewer (`#page=N` goes to the page); any other
        format downloads, so a document's own HTML or scripts never run on this site."""
        path = await run_in_threadpool(_indexed, engine.indexed_file, document_id)
        pdf = path.suffix.lower() == ".pdf"
        return FileResponse(
            path,
            media_type="application/pdf" if pdf else "application/octet-stream",
            filename=path.name,
            content_disposition_type="inline" if pdf else "attachment",
            # Not sandboxed: browsers refuse to show a PDF in a sandbox; their viewer keeps a
            # PDF's own scripts away from this site.
            headers={"X-Content-Type-Options": "nosniff"} if pdf else _INERT_PAGE,
        )

    @app.get(f"{API_PREFIX}/files/{{document_id}}/text", dependencies=guarded)
    async def indexed_text(document_id: str, start: int = 0, end: int = 0) -> HTMLResponse:
        """An indexed document's extracted text as a page, the characters `start`-`end` (a
        citation's passage) marked; link to it with `#passage` to scroll there."""
        document = await run_in_threadpool(_indexed, engine.indexed_text, document_id)
        text = document.text
        start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
        end = max(start, end)
        body = (
            f'{html.escape(text[:start])}<mark id="passage">{html.escape(text[start:end])}'
            f"</mark>{html.escape(text[end:])}"
        )
        page = (
            f"<!doctype html><meta charset=utf-8><title>{html.escape(document.source)}</title>"
            "<style>body{max-width:48em;margin:2em auto;font:16px/1.5 sans-serif;"
            "white-space:pre-wrap}mark{background:#ffe58a}</style>"
            f"<body>{body}</body>"
        )
        return HTMLResponse(page, headers=_INERT_PAGE)

    return app


T = TypeVar("T")
# Pages made of document content: no script may run, nothing may be fetched or framed.
_INERT_PAGE = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "X-Content-Type-Options": "nosniff",
}


def _indexed(read: Callable[[str], T], document_id: str) -> T:
    """`read(document_id)` (an indexed document's file or text), its errors as HTTP ones."""
    try:
        return read(document_id)
    except InvalidInput as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except RagError as exc:  # gone, or changed since it was indexed
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
