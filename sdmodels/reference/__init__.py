"""Reference models with known (often analytic) behaviour."""
