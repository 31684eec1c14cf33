#!/usr/bin/env bash
# Compiles shaders/*.{vert,frag,comp} to SPIR-V next to them (shaders/NAME.EXT.spv) with glslangValidator.
# --check: compile to a temporary folder and fail if any committed .spv differs from its source.
set -euo pipefail
cd "$(dirname "$0")/../shaders"
command -v glslangValidator >/dev/null || { echo "glslangValidator not found: apt-get install glslang-tools" >&2; exit 3; }
out=.; [ "${1:-}" = --check ] && out=$(mktemp -d)
status=0
for src in *.vert *.frag *.comp; do
  [ -e "$src" ] || continue
  glslangValidator -V --quiet "$src" -o "$out/$src.spv"
  if [ "$out" != . ] && ! cmp -s "$out/$src.spv" "$src.spv"; then echo "shaders/$src.spv is out of date (run npm run shaders)" >&2; status=1; fi
done
[ "$out" != . ] && rm -rf "$out"
exit $status
