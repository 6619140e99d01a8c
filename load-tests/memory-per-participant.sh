#!/usr/bin/env bash
# What each participant costs a node in memory (issue #21): starts one node on embedded defaults, takes its live heap
# (a class histogram, which runs a full GC first), native memory (NMT) and resident memory with nobody in, joins N
# participants of one room with the load tool (2 talkers, audio only), takes the same again 10 s after the last one
# joined, and once more after they left. Prints the differences per participant; the histograms and NMT summaries
# stay in the output folder, for what grew.
#
#   load-tests/memory-per-participant.sh [participants=500] [output folder=load-results/memory]
#
# Run from the repository root after a build (bin/lchat build). Uses the HTTP port 8080.
set -euo pipefail
n="${1:-500}"
out="${2:-load-results/memory}"
cd "$(dirname "$0")/.."
java_home="${JAVA_HOME:-}"
for candidate in "$java_home" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64; do
  if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ]; then java_home="$candidate"; break; fi
done
[ -d cluster-node/target/lib ] && [ -d load-tests/target/lib ] || { echo "memory: build first (bin/lchat build)" >&2; exit 1; }
mkdir -p "$out"
opts=(-Dlchat.room.max-participants=1000 -XX:NativeMemoryTracking=summary)
if [ "$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1)" -ge 23 ]; then
  opts+=(--sun-misc-unsafe-memory-access=allow)
fi
"$java_home/bin/java" --enable-native-access=ALL-UNNAMED "${opts[@]}" -cp "cluster-node/target/classes:cluster-node/target/lib/*" uk.co.lchat.node.Main \
  --http 8080 >"$out/node.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fs http://127.0.0.1:8080/health >/dev/null 2>&1 && break; sleep 1; done
sleep 15

# label -> live heap bytes, resident KB, threads
snap() {
  "$java_home/bin/jcmd" "$pid" GC.class_histogram >"$out/histogram-$1.txt"
  "$java_home/bin/jcmd" "$pid" VM.native_memory summary >"$out/nmt-$1.txt"
  echo "$1 $(tail -1 "$out/histogram-$1.txt" | awk '{print $3}') $(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status") $(awk '/^Threads:/ {print $2}' "/proc/$pid/status")"
}
empty="$(snap empty)"
LCHAT_SKIP_BUILD=1 bin/lchat load --url http://127.0.0.1:8080 --scenario large --participants "$n" --talkers 2 \
  --video-talkers 0 --duration 100s --out "$out/load" >"$out/load.log" 2>&1 &
load=$!
for _ in $(seq 1 600); do
  in="$(curl -fs http://127.0.0.1:8080/stats | python3 -c 'import sys,json; print(json.load(sys.stdin).get("participants", 0))' 2>/dev/null || echo 0)"
  [ "$in" -ge "$n" ] && break
  sleep 1
done
sleep 10
full="$(snap full)"
wait "$load" || true
sleep 5
left="$(snap left)"
python3 - "$n" "$empty" "$full" "$left" <<'PY'
import sys
n = int(sys.argv[1])
e, f, l = (s.split() for s in sys.argv[2:5])
print(f"{n} participants on one node: live heap {int(e[1])/1e6:.1f} -> {int(f[1])/1e6:.1f} MB "
      f"({(int(f[1]) - int(e[1])) / n / 1024:.1f} KiB each), resident {int(e[2])/1024:.0f} -> {int(f[2])/1024:.0f} MB "
      f"({(int(f[2]) - int(e[2])) / n:.0f} KiB each), threads {e[3]} -> {f[3]}; after they left: live heap "
      f"{int(l[1])/1e6:.1f} MB, resident {int(l[2])/1024:.0f} MB, threads {l[3]}")
PY
