"""Load, predict, train and evaluate (transformers + torch; exact-entity scores)."""
