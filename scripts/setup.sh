#!/usr/bin/env bash
# Installs every Debian package forksafe needs to build, test and benchmark; idempotent.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  llvm-19-dev libclang-19-dev clang-19 clang-tidy-19 libclang-rt-19-dev clang-format-19
  # libc++abi puts cxxabi.h into LLVM's include directory; CI builds with it so the build never
  # depends on its absence (see forksafe_use_llvm in CMakeLists.txt)
  libc++abi-19-dev
  clang-tools-19  # clang-apply-replacements-19, which applies --export-fixes output in the tests
  libfmt-dev libgtest-dev libgmock-dev libcli11-dev
  libhttp-parser-dev libelf-dev libcurl4-openssl-dev curl nlohmann-json3-dev
  libhiredis-dev redis-server
  # web frameworks whose real headers the checker's framework fixtures compile against
  libcpp-httplib-dev libboost-dev libpoco-dev libcpprest-dev libcivetweb-dev libmicrohttpd-dev
  # a real editor for the language server's test (headless Neovim and its built-in LSP client)
  neovim
)
if [ "${FORKSAFE_BENCH_DEPS:-0}" = 1 ]; then
  packages+=(wrk nginx-light gunicorn python3 time)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 2; }
  sudo=sudo
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
