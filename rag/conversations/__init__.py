"""Conversations, accounts and feedback kept in a database through SQLAlchemy: SQLite beside the
index by default, PostgreSQL when `RAG_DATABASE_URL` names one (several `rag ui` processes then
share users and conversations).

May import: the base modules only (settings, types, errors)."""
