# Shared by the scripts: paths, the data mirror default, and a cached Release build.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${VERDICT_BUILD_DIR:-$ROOT/build}
WORK=${VERDICT_WORK_DIR:-$ROOT/work}
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}

# The UCI files come from VERDICT_DATA_MIRROR when set; a checkout beside the handbook's
# ../shared/data uses that folder; otherwise `verdict data` downloads from UCI.
if [ -z "${VERDICT_DATA_MIRROR:-}" ] && [ -f "$ROOT/../shared/data/adult/adult.data" ]; then
  export VERDICT_DATA_MIRROR=$(cd "$ROOT/../shared/data" && pwd)
fi

step() { printf '\n== %s\n' "$*" >&2; }

build_native() {
  step "build (Release) in $BUILD"
  mkdir -p "$BUILD"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release > "$BUILD/configure.log" 2>&1 ||
    { cat "$BUILD/configure.log" >&2; return 1; }
  cmake --build "$BUILD" -j "$(nproc)"
}

BUILD_WASM=${VERDICT_BUILD_WASM_DIR:-$ROOT/build-wasm}

build_wasm() {
  step "build WebAssembly (Emscripten) in $BUILD_WASM"
  mkdir -p "$BUILD_WASM"
  if [ ! -f "$BUILD_WASM/CMakeCache.txt" ]; then
    emcmake cmake -S "$ROOT" -B "$BUILD_WASM" -DCMAKE_BUILD_TYPE=Release > "$BUILD_WASM/configure.log" 2>&1 ||
      { cat "$BUILD_WASM/configure.log" >&2; return 1; }
  fi
  cmake --build "$BUILD_WASM" -j "$(nproc)"
}
