"""The gRPC service: translates protobuf ⇄ runtime types, enforces limits, logs, schedules.
It computes nothing itself; all computation lives in `runtime`."""
