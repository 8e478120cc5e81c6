"""The `rag users`, `rag chats`, `rag feedback` and `rag eval` commands: accounts, stored
conversations, ratings as regression questions, and scoring an index on a team's questions."""

from __future__ import annotations

import argparse
import getpass
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ..api import RAG
from ..chats import Chats
from ..errors import InvalidInput
from ..evaluation import evaluate, read_questions, summarise, table

Engine = Callable[[argparse.Namespace], RAG]


def add_commands(
    commands: argparse._SubParsersAction, store: argparse.ArgumentParser, engine: Engine
) -> None:
    """Register the commands; `store` is the parent parser of the index flags, `engine` builds
    the engine from parsed flags."""
    state = argparse.ArgumentParser(add_help=False, parents=[store])
    state.add_argument("--database-url", help="the conversation database ($RAG_DATABASE_URL)")

    def chats(args: argparse.Namespace) -> Chats:
        return Chats(engine(args))

    users = commands.add_parser("users", help="accounts: add, list, remove, role, password, token")
    verbs = users.add_subparsers(required=True, metavar="ACTION")
    add = verbs.add_parser("add", parents=[state], help="add an account (asks for its password)")
    add.add_argument("name")
    add.add_argument("--role", choices=["reader", "editor", "admin"], default="reader")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add.set_defaults(run=lambda a: _add_user(chats(a), a))
    listed = verbs.add_parser("list", parents=[state], help="the accounts and their roles")
    listed.set_defaults(run=lambda a: _list_users(chats(a)))
    remove = verbs.add_parser("remove", parents=[state], help="remove an account and its tokens")
    remove.add_argument("name")
    remove.set_defaults(run=lambda a: chats(a).remove_user(a.name))
    role = verbs.add_parser("role", parents=[state], help="change an account's role")
    role.add_argument("name")
    role.add_argument("role", choices=["reader", "editor", "admin"])
    role.set_defaults(run=lambda a: chats(a).set_role(a.name, a.role))
    password = verbs.add_parser("password", parents=[state], help="set a new password")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true")
    password.set_defaults(run=lambda a: chats(a).set_password(a.name, _password(a)))
    token = verbs.add_parser("token", parents=[state], help="print a new API token for an account")
    token.add_argument("name")
    token.set_defaults(run=lambda a: print(chats(a).new_token(a.name)))

    conversations = commands.add_parser("chats", help="stored conversations: list, export")
    verbs = conversations.add_subparsers(required=True, metavar="ACTION")
    listed = verbs.add_parser("list", parents=[state], help="conversations, newest first")
    listed.add_argument("--user", help="only this account's")
    listed.add_argument(
        "--search", default="", help="only those whose title or questions hold these words"
    )
    listed.set_defaults(run=lambda a: _list_chats(chats(a), a))
    export = verbs.add_parser("export", parents=[state], help="a conversation as Markdown or JSON")
    export.add_argument("id")
    export.add_argument("--format", choices=["markdown", "json"], default="markdown")
    export.add_argument("--out", type=Path, help="write to this file (default: print)")
    export.set_defaults(run=lambda a: _export(chats(a), a))

    feedback = commands.add_parser("feedback", help="rated answers")
    verbs = feedback.add_subparsers(required=True, metavar="ACTION")
    export = verbs.add_parser(
        "export",
        parents=[state],
        help="rated answers as regression questions (bench/longform.py's format, for rag eval)",
    )
    export.add_argument("--out", type=Path, help="write the questions here (default: print)")
    export.add_argument(
        "--open",
        type=Path,
        help="write the open cases here: thumbs down with no correction, to review",
    )
    export.set_defaults(run=lambda a: _feedback(chats(a), a))

    scored = commands.add_parser(
        "eval", parents=[store], help="score the index on questions with expected quotes"
    )
    scored.add_argument("questions", type=Path, metavar="QUESTIONS.jsonl")
    scored.add_argument("--json", action="store_true", help="print every figure as JSON")
    scored.add_argument("--show", action="store_true", help="print each answer and its marks")
    scored.set_defaults(run=lambda a: _eval(engine(a), a))


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"password for {args.name}: ")
    if getpass.getpass("again: ") != first:
        raise InvalidInput("the two passwords differ: nothing was changed")
    return first


def _add_user(chats: Chats, args: argparse.Namespace) -> None:
    user = chats.add_user(args.name, _password(args), args.role)
    print(f"added {user.name} ({user.role})")


def _list_users(chats: Chats) -> None:
    for user in chats.users():
        print(f"{user.name}\t{user.role}")


def _list_chats(chats: Chats, args: argparse.Namespace) -> None:
    owner = f"user:{args.user}" if args.user else None
    for conversation in chats.conversations(owner, args.search):
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(conversation.updated))
        print(
            f"{conversation.id}\t{when}\t{conversation.turn_count} turns\t"
            f"{conversation.owner}\t{conversation.title}"
        )


def _export(chats: Chats, args: argparse.Namespace) -> None:
    text = chats.export(chats.owner_of(args.id), args.id, args.format)
    _write(text, args.out)


def _feedback(chats: Chats, args: argparse.Namespace) -> None:
    questions, open_cases = chats.feedback()
    _write("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), args.out)
    if args.open:
        lines = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in open_cases)
        args.open.write_text(lines, encoding="utf-8")
    print(
        f"{len(questions)} rated questions, {len(open_cases)} open cases (thumbs down with no "
        "correction" + (f": {args.open})" if args.open else "; --open FILE writes them)"),
        file=sys.stderr,
    )


def _eval(engine: RAG, args: argparse.Namespace) -> None:
    results, times = evaluate(engine, read_questions(args.questions))
    rows = summarise(results)
    p50 = 1000 * statistics.median(times)
    if args.json:
        print(json.dumps({"rows": rows, "p50_ms": p50, "results": results}, ensure_ascii=False))
        return
    for result in results if args.show else ():
        marks = "".join(
            "+" if result[h] else "-" for h in ("lead", "support", "answer", "abstention")
        )
        print(f"{marks} {result['q']}\n    {result['answer_text'][:300]}")
    print(table(rows, list(rows[0])))
    print(f"query p50 {p50:.1f} ms over {len(times)} questions")


def _write(text: str, path: Path | None) -> None:
    if path is None:
        sys.stdout.write(text)
    else:
        path.write_text(text, encoding="utf-8")
