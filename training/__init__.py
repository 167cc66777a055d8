"""Building datasets from PA-X gold, fitting models, evaluating them. Not needed to predict."""
