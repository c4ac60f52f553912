#!/usr/bin/env bash
# The quipsharp command on a whole model: build a small LLaMA-shaped example model and its Hessians, quantize
# every linear layer in one run, then again as two shards (as two machines or batch jobs would) joined with
# `merge`, and check that both give the same file byte for byte.
#
#   bash examples/quantize-model.sh        (writes into ./quipsharp-model-example)
#
# Runs `npx quipsharp` (in a project that depends on quipsharp); set QUIPSHARP to run another copy of the
# command, e.g. QUIPSHARP="node node_modules/quipsharp/dist/cli.js".
set -euo pipefail
read -r -a quipsharp <<< "${QUIPSHARP:-npx quipsharp}"
dir=quipsharp-model-example
size=(--blocks 1 --hidden 64 --intermediate 176 --samples 256) # a model that quantizes in seconds

# 1. The example model (1 block: 7 linear layers, embeddings, norms) and its Hessians, as safetensors files.
"${quipsharp[@]}" example "${size[@]}" --out "$dir/example" --save-inputs > /dev/null
model=$dir/example/example-model.safetensors
hessians=$dir/example/example-hessians.safetensors
echo "== the inputs"
"${quipsharp[@]}" inspect "$model"

# 2. One run: every layer with a Hessian is quantized; everything else is copied.
echo "== quantize-model, one run"
"${quipsharp[@]}" quantize-model --model "$model" --hessians "$hessians" --out "$dir/full" --threads 1

# 3. Two shards into separate folders (each a balanced share of the layers), then merge.
echo "== quantize-model --shard 0/2 and 1/2, then merge"
for i in 0 1; do
  "${quipsharp[@]}" quantize-model --model "$model" --hessians "$hessians" --out "$dir/shard-$i" --shard "$i/2" --threads 1 > /dev/null
done
"${quipsharp[@]}" merge "$dir/shard-0" "$dir/shard-1" --out "$dir/merged"

# 4. The same model either way.
cmp "$dir/full/model.safetensors" "$dir/merged/model.safetensors"
echo "== the one-run and the sharded model files are identical"
"${quipsharp[@]}" inspect "$dir/merged/model.safetensors"
