"""The annotate session without a screen: the draft being edited, the queue and undo, the
revision writer and the suggestion prefetcher. The TUI drives these; tests drive them too."""
