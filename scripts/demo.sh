#!/usr/bin/env bash
# Set-up, build, then the main job: the memory demo at the size of a large pretrained vector file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
./build/apps/random_embeddings_demo "$@"
