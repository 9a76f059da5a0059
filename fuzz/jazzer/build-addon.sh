#!/usr/bin/env bash
# Builds @jazzer.js/fuzzer's native addon from the C++ sources its npm package ships, against
# Debian's stock libFuzzer (libclang-rt-14-dev) instead of the fork its CMake build downloads.
# Idempotent: does nothing when the addon already loads. See fuzz/README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"  # the fuzz package (its node_modules hold Jazzer.js)
cd "$root"
pkg="$(node -e 'const p=require.resolve("@jazzer.js/fuzzer/package.json",{paths:[require.resolve("@jazzer.js/core")]});console.log(require("path").dirname(p))')"
out="$pkg/build/Release/jazzerjs.node"
if [[ -f "$out" ]] && node -e "require('$out')" 2>/dev/null; then exit 0; fi

libfuzzer=/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a
if ! command -v clang++-14 >/dev/null 2>&1 || [[ ! -f "$libfuzzer" ]]; then
  apt-get update -qq && apt-get install -y -qq clang-14 libclang-rt-14-dev >/dev/null
fi
nodeinc="$(dirname "$(dirname "$(node -p process.execPath)")")/include/node"
[[ -f "$nodeinc/node_api.h" ]] || { echo "build-addon: no Node headers at $nodeinc" >&2; exit 1; }
napi="$(node -p 'require("node-addon-api").include_dir')"

mkdir -p "$(dirname "$out")"
clang++-14 -std=c++17 -O2 -fPIC -shared -w -DNAPI_VERSION=4 -DNAPI_CPP_EXCEPTIONS \
  -I "$here/include" -I "$napi" -I "$nodeinc" \
  "$pkg"/*.cpp "$pkg"/shared/*.cpp "$here/stock_libfuzzer.cpp" \
  -Wl,--whole-archive "$libfuzzer" -Wl,--no-whole-archive -o "$out.tmp"
mv "$out.tmp" "$out"
node -e "require('$out')"
echo "build-addon: built $out"
