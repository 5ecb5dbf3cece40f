#!/usr/bin/env bash
# Run on the GPU machine, in the repository root, after benchmarks/gpu/prepare.sh here:
#   run(command="bash benchmarks/gpu/run.sh", carry=[".gpu"], timeout_s=590)
# One call measures what issues 12 and 14 ask of a GPU; each step writes to $OUT as it ends
# and has its own time limit, so a slow one cannot take the others' time.
#   1. a training step on the GPU: the Trainer against a plain loop (step_overhead.py)
#   2. the 12-epoch BC5CDR recipe, its wall time with dev passes, its test F1 (40 s goal)
#   3. tagging steady state against the HF pipeline: bundled encoder, then BERT-base shape
set -uo pipefail
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
PY=${PY:-python3}
if [ -d .gpu/whl ]; then  # NO_INSTALL=1: a smoke run here, on this machine's own packages
    [ -n "${NO_INSTALL:-}" ] || "$PY" -m pip install -q --no-index --no-deps --no-compile \
        --no-cache-dir --upgrade --target /tmp/site .gpu/whl/*.whl || exit 1
    rm -rf /tmp/bundled && mkdir -p /tmp/bundled && cp .gpu/bundled/* /tmp/bundled/
    "$PY" .gpu/safetensors_cast.py fp32 /tmp/bundled/model.fp16.safetensors \
        /tmp/bundled/model.safetensors && rm /tmp/bundled/model.fp16.safetensors
    export PYTHONPATH=/tmp/site:$PWD/.gpu/shim:$PWD
fi
{ nvidia-smi; "$PY" -c "import torch, transformers, accelerate, workbench.cli;
print('torch', torch.__version__, 'transformers', transformers.__version__,
      'accelerate', accelerate.__version__, 'cuda', torch.cuda.is_available())"; } \
    2>&1 | tee "$OUT/env.txt" || exit 1
step() {  # name, seconds, command...
    local name=$1 limit=$2; shift 2
    echo "== $name ($(date -u +%T))"
    local t0=$SECONDS
    timeout "$limit" "$@" > "$OUT/$name.md" 2> "$OUT/$name.err"
    echo "rc $? in $((SECONDS - t0)) s" | tee -a "$OUT/$name.md"
    tail -n 30 "$OUT/$name.md"; tail -n 5 "$OUT/$name.err"
}
DEV=${DEV:-cuda}
step step_overhead 100 "$PY" benchmarks/step_overhead.py --width real --device "$DEV" \
    --steps "${STEPS:-300}"
step train12 300 "$PY" benchmarks/train_accuracy.py /tmp/p12 --epochs "${EPOCHS:-12}" \
    --learning-rate 1e-4 --batch-size 16 --device "$DEV" ${TRAIN_EXTRA:-}
model=$(ls -d /tmp/p12/models/model-* 2>/dev/null | tail -n 1)
if [ -n "$model" ] && [ "$DEV" = cuda ]; then
    step tag_bundled 120 "$PY" benchmarks/tag_scale.py gpu "$model" --copies "${COPIES:-4}" \
        --repeats 1
    "$PY" benchmarks/gpu/random_bert_base.py "$model" /tmp/bert_base > /dev/null &&
        step tag_bert_base 120 "$PY" benchmarks/tag_scale.py gpu /tmp/bert_base \
            --copies "${COPIES:-4}" --repeats 1
fi
