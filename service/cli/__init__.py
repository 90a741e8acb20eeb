"""The `facecast` command line."""
