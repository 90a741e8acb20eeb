"""Performance harness: `python -m benchmarks.run` (JSON + a table). Never run as timed tests."""
