"""The HTTP API's conversation routes: start, list, read, ask in, rename, export, rate and delete
conversations, each scoped to its caller (another caller's id reads as 404)."""

# No `from __future__ import annotations`: FastAPI reads these annotations at run time.
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from ..chats import Chats
from ..errors import Forbidden, InvalidInput, NotFound, RagError
from ..types import ChatTurn, Conversation, User


class NewConversation(BaseModel):
    title: str = Field(default="", description="empty: the first question becomes the title")


class Rename(BaseModel):
    title: str = Field(min_length=1)


class Ask(BaseModel):
    """A question in a conversation: its earlier turns are the history follow-ups resolve on."""

    question: str = Field(min_length=1, examples=["How does China view these deals?"])
    k: int | None = Field(default=None, ge=1, le=100, description="passages to consider")
    mode: Literal["extractive", "generative"] = "extractive"
    sources: list[str] | None = Field(
        default=None, description="answer only from these documents (paths, folders, globs)"
    )


class Rating(BaseModel):
    rating: Literal[-1, 0, 1] = Field(description="1: thumbs up, -1: thumbs down, 0: cleared")
    comment: str = ""
    correction: str = Field(
        default="", description="the sentence of a document that does answer the question"
    )


def owner(user: User) -> str:
    return f"user:{user.name}"


def conversation_routes(chats: Chats, caller: Callable[..., User]) -> APIRouter:
    """The routes, under the app's prefix; `caller` is the app's dependency that names the user."""
    router = APIRouter(tags=["conversations"])
    Caller = Annotated[User, Depends(caller)]

    @router.get("/conversations")
    async def list_conversations(user: Caller, search: str = "") -> list[Conversation]:
        """The caller's conversations, most recently continued first, without their turns;
        `search` keeps those whose title or questions hold all its words."""
        with _errors():
            return await run_in_threadpool(chats.conversations, owner(user), search)

    @router.post("/conversations", status_code=status.HTTP_201_CREATED)
    async def start(user: Caller, request: NewConversation) -> Conversation:
        with _errors():
            return await run_in_threadpool(chats.start, owner(user), request.title)

    @router.get("/conversations/{conversation_id}")
    async def read(user: Caller, conversation_id: str) -> Conversation:
        """A conversation with every turn: question, answer, citations, rating."""
        with _errors():
            return await run_in_threadpool(chats.conversation, owner(user), conversation_id)

    @router.post("/conversations/{conversation_id}/ask")
    async def ask(user: Caller, conversation_id: str, request: Ask) -> ChatTurn:
        """Answer a question in the conversation (its earlier turns resolve follow-ups) and
        store the turn."""

        def answered() -> ChatTurn:
            *_, turn = chats.converse(
                owner(user),
                conversation_id,
                request.question,
                request.mode,
                request.k,
                request.sources,
            )
            return turn

        with _errors():
            return await run_in_threadpool(answered)

    @router.patch("/conversations/{conversation_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def rename(user: Caller, conversation_id: str, request: Rename) -> None:
        with _errors():
            await run_in_threadpool(chats.rename, owner(user), conversation_id, request.title)

    @router.delete("/conversations/{conversation_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def delete(user: Caller, conversation_id: str) -> None:
        with _errors():
            await run_in_threadpool(chats.delete, owner(user), conversation_id)

    @router.get("/conversations/{conversation_id}/export")
    async def export(
        user: Caller, conversation_id: str, format: Literal["markdown", "json"] = "markdown"
    ) -> Response:
        """The conversation as a Markdown file (each citation a footnote with its quote) or
        JSON, as a download."""
        with _errors():
            text = await run_in_threadpool(chats.export, owner(user), conversation_id, format)
        suffix, media = (
            ("md", "text/markdown") if format == "markdown" else ("json", "application/json")
        )
        return Response(
            text,
            media_type=f"{media}; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="conversation-{conversation_id}.{suffix}"',
                "X-Content-Type-Options": "nosniff",
            },
        )

    @router.put(
        "/conversations/{conversation_id}/turns/{n}/rating",
        status_code=status.HTTP_204_NO_CONTENT,
    )
    async def rate(user: Caller, conversation_id: str, n: int, request: Rating) -> None:
        """Thumbs up or down on one answer, with an optional comment and correction;
        `rag feedback export` turns ratings into regression questions."""
        with _errors():
            await run_in_threadpool(
                chats.rate,
                owner(user),
                conversation_id,
                n,
                request.rating,
                request.comment,
                request.correction,
            )

    return router


@contextmanager
def _errors() -> Iterator[None]:
    """rag's errors as HTTP ones: not found (or someone else's) 404, not allowed 403, a bad
    argument 400."""
    try:
        yield
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except Forbidden as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from None
    except (InvalidInput, RagError) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
