"""The tables, and the schema version that later migrations step from.

SQLAlchemy Core rather than its ORM: the rows cross into frozen dataclasses at once, and Core's
`create_all` plus a one-row version table is all the migration machinery five tables need
(Alembic would add a dependency and a folder of scripts for no step yet)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

SCHEMA_VERSION = 1

metadata = MetaData()

version = Table("rag_schema", metadata, Column("version", Integer, nullable=False))

# Keys made once per database and shared by every process that uses it (the UI's browser
# storage key), so a restart or a second process reads what the first wrote.
secrets = Table(
    "rag_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(256), nullable=False),
)

users = Table(
    "rag_users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password", String(256), nullable=False),  # scrypt, salted: never the password
    Column("created", Float, nullable=False),
)

tokens = Table(
    "rag_tokens",
    metadata,
    Column("digest", String(64), primary_key=True),  # SHA-256 of the token: never the token
    Column("user", String(64), ForeignKey("rag_users.name", ondelete="CASCADE"), nullable=False),
    Column("created", Float, nullable=False),
)

conversations = Table(
    "rag_conversations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(128), nullable=False),
    Column("title", Text, nullable=False),
    Column("created", Float, nullable=False),
    Column("updated", Float, nullable=False),
    Index("rag_conversations_owner", "owner", "updated"),
)

turns = Table(
    "rag_turns",
    metadata,
    Column(
        "conversation",
        String(32),
        ForeignKey("rag_conversations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("n", Integer, primary_key=True),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),  # the Answer as JSON, citations and all
    Column("answer_text", Text, nullable=False),  # its text alone: the history of a follow-up
    Column("hashes", Text, nullable=False),  # {source: sha256} of the cited files when answered
    Column("timings", Text, nullable=False),
    Column("created", Float, nullable=False),
    Column("rating", Integer, nullable=False, default=0),
    Column("comment", Text, nullable=False, default=""),
    Column("correction", Text, nullable=False, default=""),
)
