#!/usr/bin/env bash
# Regenerates the C# message classes of the wire contract (proto/facecast/v1/*.proto) into
# Runtime/Transport/Generated/ with protoc's built-in C# generator (Debian: protobuf-compiler), then
# writes the Unity .meta files of any new file. No gRPC stubs: no C# gRPC plugin can be had here, so
# Runtime/Transport/FaceAnimationClient.cs holds the call descriptors, written by hand.
# tests/test_unity_core.py regenerates into a temporary folder and checks the committed files match.
#
# Usage: clients/unity/generate.sh [OUT_DIR]     (default: Runtime/Transport/Generated)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
proto="$(cd "$here/../../proto" && pwd)"
default_out="$here/Runtime/Transport/Generated"
out="${1:-$default_out}"

if ! command -v protoc >/dev/null; then
  echo "generate.sh: protoc not found; install it: apt-get install -y --no-install-recommends protobuf-compiler" >&2
  exit 1
fi
mkdir -p "$out"
rm -f "$out"/*.cs   # a removed .proto must not leave its classes behind
protoc -I "$proto" --csharp_out="$out" "$proto"/facecast/v1/*.proto
if [ "$out" = "$default_out" ]; then
  python3 "$here/Tools~/write_meta.py"
fi
