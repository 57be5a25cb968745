#!/usr/bin/env bash
# Set-up, build, then every test: C++ (ctest: core, torch layer, installed package) and Python.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
WERROR="${WERROR:-ON}" bash scripts/build.sh
status=0
(cd build && ctest --output-on-failure -j2) || status=$?
RANDOM_EMBEDDINGS_BUILD_DIR="$PWD/build" /usr/bin/python3 -m pytest -q tests/python || status=$?
exit $status
