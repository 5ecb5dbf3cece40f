"""The Textual annotate screen. Only the CLI imports it; the core never does."""
