#!/usr/bin/env bash
# drvsim's one entry point for a developer machine (Debian 12):
#   ./dev.sh run [SCENARIO] [drvsim run options]   install, build, run a scenario (default: quickstart)
#   ./dev.sh test [ctest options]                  install, build, run every test
#   ./dev.sh build | deps
# Missing Debian packages (tools/packages.txt) are installed with apt-get,
# through sudo when not root. Set BUILD_DIR or CXX to change the build.
set -euo pipefail
cd "$(dirname "$0")"
BUILD_DIR=${BUILD_DIR:-build}

deps() {
  local missing=()
  while read -r pkg; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done < tools/packages.txt
  if ((${#missing[@]})); then
    local sudo=()
    [[ $(id -u) -ne 0 ]] && sudo=(sudo)
    echo "dev.sh: installing ${missing[*]}"
    "${sudo[@]}" apt-get update
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
  fi
}

build() {
  deps
  if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  fi
  cmake --build "$BUILD_DIR" -j "$(nproc)"
}

cmd=${1:-run}
shift || true
case "$cmd" in
  deps) deps ;;
  build) build ;;
  run)
    build
    scenario=scenarios/quickstart.yaml
    if [[ $# -gt 0 && "$1" != -* ]]; then scenario=$1; shift; fi
    exec "$BUILD_DIR/sim/cli/drvsim" run "$scenario" "$@"
    ;;
  test)
    build
    exec ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" "$@"
    ;;
  *) echo "usage: ./dev.sh run [SCENARIO] | test | build | deps" >&2; exit 2 ;;
esac
