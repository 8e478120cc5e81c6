"""Everything that drives the engine from outside: the CLI, the HTTP API, the MCP server, folder
watching and the LlamaIndex integration (the Gradio UI is `ui/`, installed as `rag.ui`).

May import: the public API (`rag`, `rag.api`), the base modules and each other; nothing below."""
