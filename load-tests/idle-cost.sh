#!/usr/bin/env bash
# What an idle node costs (issue #21): starts one node on embedded defaults (its own ports, so it can run beside
# anything), lets it settle, then reads its CPU time, threads and resident memory from /proc over a window.
# CPU time is what the process itself consumed, so the figure holds on a machine other work also loads.
#
#   load-tests/idle-cost.sh [settle-seconds=30] [window-seconds=60]
#
# Run from the repository root after a build (bin/lchat build).
set -euo pipefail
settle="${1:-30}"
window="${2:-60}"
cd "$(dirname "$0")/.."

java_home="${JAVA_HOME:-}"
for candidate in "$java_home" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64; do
  if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ]; then java_home="$candidate"; break; fi
done
[ -d cluster-node/target/lib ] || { echo "idle-cost: build first (bin/lchat build)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http="$(free_port)"; media="$(free_port)"; remoting="$(free_port)"
log="$(mktemp /tmp/lchat-idle.XXXXXX.log)"
"$java_home/bin/java" --enable-native-access=ALL-UNNAMED ${LCHAT_JAVA_OPTS:-} -cp "cluster-node/target/classes:cluster-node/target/lib/*" \
  uk.co.lchat.node.Main --http "$http" --remote-port "$remoting" --media-port "$media" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$log"' EXIT

for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$http/health" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 1
done
curl -fs "http://127.0.0.1:$http/health" >/dev/null || { echo "idle-cost: node did not come up" >&2; cat "$log" >&2; exit 1; }
sleep "$settle"

ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }   # utime + stime, in clock ticks (proc(5))
hz="$(getconf CLK_TCK)"
before="$(ticks)"; t0="$(date +%s.%N)"
sleep "$window"
after="$(ticks)"; t1="$(date +%s.%N)"
threads="$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")"
rss_kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")"
python3 - "$before" "$after" "$hz" "$t0" "$t1" "$threads" "$rss_kb" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'EOF'
import sys
before, after, hz, t0, t1 = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
threads, rss_kb, load = sys.argv[6], int(sys.argv[7]), sys.argv[8]
cpu = (after - before) / hz
wall = t1 - t0
print(f"idle node: {cpu:.2f} CPU-s in {wall:.1f} s = {100 * cpu / wall:.2f}% of a core; "
      f"{threads} threads; {rss_kb / 1024:.0f} MB resident; load average {load}")
EOF
