"""Generated code of the facecast.v1 wire contract (proto/generate.py). Do not edit."""
