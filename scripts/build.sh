#!/usr/bin/env bash
# Configures and builds everything (library, Python op library, apps, tests, benchmarks) in build/.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DRANDOM_EMBEDDINGS_WERROR="${WERROR:-OFF}" \
  -DRANDOM_EMBEDDINGS_BUILD_BENCH=ON >/dev/null
ninja -C build
