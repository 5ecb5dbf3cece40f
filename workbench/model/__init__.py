"""Load, predict, train and evaluate (transformers + torch + seqeval)."""
