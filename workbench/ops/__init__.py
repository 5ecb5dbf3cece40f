"""The use cases the CLI and the TUI share: import, export, tag, train/retrain/evaluate,
status and suggestions. Plain functions over a `Project`; no Typer, no Textual."""
