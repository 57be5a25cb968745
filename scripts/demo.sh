#!/usr/bin/env bash
# Set-up, build, then the main job: the memory demo at the size of a large pretrained vector file,
# and the WordNet comparison of fixed random against learned and pretrained embeddings.
# Arguments go to wordnet_demo (e.g. --quick, --epochs 2, --seeds 0,1; see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
./build/apps/random_embeddings_demo
echo
./build/apps/wordnet/wordnet_demo --output-dir out/wordnet "$@"
