#!/usr/bin/env bash
# Installs, from Debian 12's apt, whatever of the build and test dependencies is missing.
set -euo pipefail
packages=(
  cmake ninja-build g++ ccache pkg-config
  libtorch-dev python3-torch python3-numpy python3-pytest python3-matplotlib
  libhwy-dev libbenchmark-dev libgtest-dev libcli11-dev libfmt-dev
  wordnet-base fasttext libfasttext-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
