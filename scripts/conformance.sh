#!/usr/bin/env bash
# Conformance oracle driver (real Flink jars via Maven, Java 17). See conformance/README.md.
#
#   scripts/conformance.sh build                  build every Flink line (offline if the local repo has everything)
#   scripts/conformance.sh dump                   build + dump every fixtures/**/_metadata with every line
#                                                 -> conformance/target/dumps/flink-<line>.jsonl
#   scripts/conformance.sh generate [a,b,...]     build + regenerate fixtures/generated/<version>/<scenario>/
#                                                 (all scenarios, or only the listed ones)
#   scripts/conformance.sh assign REQUESTS.jsonl   build + run the assignment oracle on every request with every line
#                                                 -> conformance/target/assign/flink-<line>.jsonl
#   scripts/conformance.sh restore [P]            build + restore every fixture with every line at parallelism P (default 3)
#                                                 -> conformance/target/restore/flink-<line>.jsonl (slow: seconds per fixture)
#
# Environment: CKPT_FLINK_LINES="1.20 2.0 2.3" (default: all three).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
conf="$root/conformance"
lines="${CKPT_FLINK_LINES:-1.20 2.0 2.3}"
cmd="${1:-dump}"
shift || true

build() {
  local line="$1" log="$conf/target/build-$1.log"
  mkdir -p "$conf/target"
  # offline first (fast, no network); fall back to an online build when something is missing
  if ! mvn -q -B -o -f "$conf/pom.xml" -P "flink-$line" package -DskipTests >"$log" 2>&1; then
    echo "conformance: offline build of flink-$line failed, retrying online (log: $log)" >&2
    mvn -q -B -f "$conf/pom.xml" -P "flink-$line" package -DskipTests >"$log" 2>&1 || {
      cat "$log" >&2; echo "conformance: build of flink-$line failed" >&2; exit 1; }
  fi
}

case "$cmd" in
  build)
    for l in $lines; do build "$l"; echo "built flink-$l"; done
    ;;
  dump)
    out="$conf/target/dumps"
    mkdir -p "$out"
    list="$out/metadata-files.txt"
    corpus="${CKPT_CORPUS:-$root/../shared/fixtures/flink-corpus}"
    { find "$root/fixtures" -name node_modules -prune -o -type f -name _metadata -print
      # the real-file corpus too (read in place, never copied), when it is there
      if [[ -d "$corpus" ]]; then find "$corpus" -mindepth 2 -maxdepth 2 -type f -name _metadata; fi
    } | LC_ALL=C sort >"$list"
    n=$(wc -l <"$list")
    for l in $lines; do
      build "$l"
      "$conf/run.sh" "$l" dump --jsonl --stdin <"$list" >"$out/flink-$l.jsonl" 2>"$out/flink-$l.log"
      ok=$(grep -c '"ok":true' "$out/flink-$l.jsonl" || true)
      echo "flink-$l: $ok of $n _metadata files loaded -> conformance/target/dumps/flink-$l.jsonl"
    done
    ;;
  generate)
    only=()
    if [[ $# -gt 0 ]]; then only=(--only "$1"); fi
    for l in $lines; do
      build "$l"
      "$conf/run.sh" "$l" generate --out "$root/fixtures/generated" "${only[@]}" 2>"$conf/target/generate-$l.log" \
        || { grep -E 'FAILED|ok ' "$conf/target/generate-$l.log" >&2; echo "generate failed for flink-$l (log: conformance/target/generate-$l.log)" >&2; exit 1; }
      grep -E '^\[[0-9.]+\] ' "$conf/target/generate-$l.log" || true
    done
    du -sh "$root/fixtures/generated"
    ;;
  assign)
    req="${1:?usage: scripts/conformance.sh assign REQUESTS.jsonl}"
    req="$(cd "$(dirname "$req")" && pwd)/$(basename "$req")"
    out="$conf/target/assign"
    mkdir -p "$out"
    for l in $lines; do
      build "$l"
      "$conf/run.sh" "$l" assign --jsonl <"$req" >"$out/flink-$l.jsonl" 2>"$out/flink-$l.log"
      ok=$(grep -c '"ok":true' "$out/flink-$l.jsonl" || true)
      echo "flink-$l: $ok of $(grep -c . "$req") requests assigned (rest: Flink's refusal) -> conformance/target/assign/flink-$l.jsonl"
    done
    ;;
  restore)
    p="${1:-3}"
    out="$conf/target/restore"
    mkdir -p "$out"
    mapfile -t dirs < <(find "$root/fixtures/generated" -name manifest.json -printf '%h\n' | LC_ALL=C sort)
    for l in $lines; do
      build "$l"
      "$conf/run.sh" "$l" restore --jsonl "$p" "${dirs[@]}" >"$out/flink-$l.jsonl" 2>"$out/flink-$l.log" || true
      ok=$(grep -c '"ok":true' "$out/flink-$l.jsonl" || true)
      echo "flink-$l: $ok of ${#dirs[@]} fixtures restored at parallelism $p with matching contents (ok:true) -> conformance/target/restore/flink-$l.jsonl"
    done
    ;;
  assign-random)
    # fresh random assignment requests (new seed each run) answered by Flink 2.3; compared with
    # @ckpt/restore by packages/restore/test/oracle-random.test.ts
    count="${1:-10000}"
    seed="${2:-$(date +%s)}"
    out="$conf/target/assign-random"
    mkdir -p "$out"
    build 2.3
    python3 "$root/packages/restore/test/fixtures/make-random-requests.py" "$count" "$seed" "$out/requests.jsonl" >/dev/null
    "$conf/run.sh" 2.3 assign --jsonl <"$out/requests.jsonl" >"$out/flink-2.3.jsonl" 2>"$out/flink-2.3.log"
    echo "flink-2.3: answered $(wc -l <"$out/flink-2.3.jsonl") random assignment requests (seed $seed) -> conformance/target/assign-random/"
    ;;
  *)
    echo "usage: scripts/conformance.sh [build|dump|generate [scenario,...]|assign REQUESTS.jsonl|assign-random [count] [seed]|restore [parallelism]]" >&2
    exit 2
    ;;
esac
