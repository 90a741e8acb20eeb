"""Golden streams and clips that engine clients test against (see make_vectors.py)."""
