"""Query strategies, the retrain round, and the oracle simulation."""
