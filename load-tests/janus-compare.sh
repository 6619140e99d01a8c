#!/usr/bin/env bash
# The same fan-out against lchat and against Debian's Janus in one run (issue #21, goal 2): one publisher sending
# Opus and VP8 (one stream of ~2.5 Mbit/s, 270 video + 50 audio packets/s) to N subscribers, N = 10, 20, 40 by
# default; for each server and N it prints the server's CPU-µs per forwarded packet (utime + stime from
# /proc/PID/stat over the measurement window, divided by the packets the subscribers received in it) and the
# ratio Janus / lchat. For lchat it also prints the node's own figure from its /metrics (process_cpu_seconds_total).
#
#   load-tests/janus-compare.sh [--subscribers "10 20 40"] [--warmup 15] [--duration 20] [--prewarm 0] [--no-build]
#
# --prewarm S first runs the fan-out with 40 subscribers for S seconds against each server, unmeasured: a server that
# has run for a while is what users meet, and lchat's JVM is still compiling its packet path during its first
# minute (Janus, compiled ahead, gains nothing from it, but gets the same).
#
# Both servers run in a private network namespace behind one veth pair, 10.78.0.2 inside and 10.78.0.1 here,
# which the script creates and removes (Janus's libnice gathers no candidates on loopback, and lchat gets the same
# path so the two are measured alike). Janus is started with event_loops = the number of cores and only its
# VideoRoom plugin and HTTP transport (load-tests/janus/*.jcfg); apt-get installs it when it is missing. Needs root.
# The load tool runs here, outside the namespace, with the same simulated peers (ICE, DTLS-SRTP) for both servers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SUBSCRIBERS="10 20 40"
WARMUP=15
DURATION=20
PREWARM=0
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --subscribers) SUBSCRIBERS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --prewarm) PREWARM="$2"; shift 2 ;;
    --no-build) BUILD=; shift ;;
    *) echo "usage: $0 [--subscribers \"10 20 40\"] [--warmup 15] [--duration 20] [--prewarm 0] [--no-build]" >&2; exit 2 ;;
  esac
done

[ "$(id -u)" = 0 ] || { echo "janus-compare: needs root (ip netns)" >&2; exit 1; }

PREFIX=10.78.0
HOST_ADDR=$PREFIX.1
NS_ADDR=$PREFIX.2
NS=lchat-janus-$$
HOST_IF=ljh$(( $$ % 1000000 ))
NS_IF=ljn$(( $$ % 1000000 ))
OUT=${OUT:-load-results/janus-compare}
CORES=$(nproc)
LCHAT_HTTP=8080
JANUS_HTTP=8088

# A namespace of an earlier run that was killed (its pid gone) is removed, with what still runs in it.
for old in $(ip netns list | awk '{print $1}' | grep '^lchat-janus-[0-9]*$' || true); do
  if ! kill -0 "${old#lchat-janus-}" 2>/dev/null; then
    for pid in $(ip netns pids "$old" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$old" 2>/dev/null || true
  fi
done
if ip -4 -o addr show | grep -q " $PREFIX\."; then
  echo "janus-compare: $PREFIX.0/30 is in use here already; not touching it" >&2
  exit 1
fi

if ! command -v janus >/dev/null; then
  echo "janus-compare: installing Debian's janus" >&2
  apt-get update -qq >/dev/null || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq janus >/dev/null
fi

JAVA_HOME=${JAVA_HOME:-}
if [ -z "$JAVA_HOME" ] || [ ! -x "$JAVA_HOME/bin/java" ]; then
  for c in /usr/lib/jvm/*; do [ -x "$c/bin/java" ] && JAVA_HOME=$c; done
fi
JAVA=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED) # the media router's epoll library (JNI)
if [ "$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1)" -ge 23 ]; then
  JAVA+=(--sun-misc-unsafe-memory-access=allow)
fi
if [ -n "$BUILD" ]; then bin/lchat build; fi
[ -d load-tests/target/lib ] && [ -d cluster-node/target/lib ] || { echo "janus-compare: build first (bin/lchat build)" >&2; exit 1; }

LCHAT_PID=
JANUS_PID=
WORK=$(mktemp -d /tmp/lchat-janus.XXXXXX)
cleanup() {
  [ -n "$LCHAT_PID" ] && kill "$LCHAT_PID" 2>/dev/null || true
  [ -n "$JANUS_PID" ] && kill "$JANUS_PID" 2>/dev/null || true
  sleep 1
  for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  ip link del "$HOST_IF" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

ip netns add "$NS"
ip link add "$HOST_IF" type veth peer name "$NS_IF" netns "$NS"
ip addr add "$HOST_ADDR/30" dev "$HOST_IF"
ip link set "$HOST_IF" up
ip -n "$NS" link set lo up
ip -n "$NS" addr add "$NS_ADDR/30" dev "$NS_IF"
ip -n "$NS" link set "$NS_IF" up

# Janus: our three configuration files, filled in; everything else it would load is disabled there.
for f in load-tests/janus/*.jcfg; do
  sed -e "s|@CONFIGS@|$WORK|g" -e "s|@EVENT_LOOPS@|$CORES|g" -e "s|@ADDRESS@|$NS_ADDR|g" \
      -e "s|@HTTP_PORT@|$JANUS_HTTP|g" "$f" > "$WORK/$(basename "$f")"
done
ip netns exec "$NS" janus -C "$WORK/janus.jcfg" -F "$WORK" > "$WORK/janus.log" 2>&1 &
JANUS_PID=$!

# lchat: one node, HTTP and media on the namespace's address, cluster remoting on its loopback.
cat > "$WORK/lchat.conf" <<EOF
lchat.http.bind-host = "$NS_ADDR"
lchat.media.bind-host = "$NS_ADDR"
lchat.media.advertised-addresses = ["$NS_ADDR"]
EOF
ip netns exec "$NS" "${JAVA[@]}" ${LCHAT_JAVA_OPTS:-} -cp "cluster-node/target/classes:cluster-node/target/lib/*" \
  uk.co.lchat.node.Main --http "$LCHAT_HTTP" --config "$WORK/lchat.conf" > "$WORK/lchat.log" 2>&1 &
LCHAT_PID=$!

wait_for() { # url what
  for _ in $(seq 1 120); do
    if curl -s -o /dev/null --max-time 2 "$1"; then return 0; fi
    sleep 1
  done
  echo "janus-compare: $2 did not come up; its log:" >&2
  tail -20 "$WORK/$2.log" >&2
  exit 1
}
wait_for "http://$NS_ADDR:$LCHAT_HTTP/health" lchat
wait_for "http://$NS_ADDR:$JANUS_HTTP/janus/info" janus
echo "lchat pid $LCHAT_PID, janus $(janus --version 2>/dev/null | awk '/version/ {print $4}' | tr -d '()') pid $JANUS_PID (event_loops = $CORES) in $NS at $NS_ADDR"

load() { # server url pid subscribers [name warmup duration]
  local out="$OUT/${5:-$1-$4}"
  "${JAVA[@]}" -cp "load-tests/target/classes:load-tests/target/lib/*" uk.co.lchat.loadtest.LoadTest \
    --server "$1" --url "$2" --server-pid "$3" --local-address "$HOST_ADDR" --scenario fanout \
    --participants $(( $4 + 1 )) --simulcast off --warmup "${6:-$WARMUP}s" --duration "${7:-$(( WARMUP + DURATION ))}s" \
    --out "$out" > "$out.log" 2>&1 || { echo "janus-compare: the $1 run with $4 subscribers failed:" >&2; tail -5 "$out.log" >&2; }
  grep '^window: ' "$out.log" | sed 's/^window: //' > "$out.window.json" || true
}

# A number from the window line: the first "key":value.
field() { grep -o "\"$2\":[0-9.]*" "$1" | head -1 | cut -d: -f2; }

mkdir -p "$OUT"
if [ "$PREWARM" -gt 0 ]; then
  echo "prewarming both servers: 40 subscribers for $PREWARM s each, not measured"
  load lchat "http://$NS_ADDR:$LCHAT_HTTP" "$LCHAT_PID" 40 lchat-prewarm 0 "$PREWARM"
  load janus "http://$NS_ADDR:$JANUS_HTTP/janus" "$JANUS_PID" 40 janus-prewarm 0 "$PREWARM"
fi
printf '%s\n' "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
rows=()
for n in $SUBSCRIBERS; do
  load lchat "http://$NS_ADDR:$LCHAT_HTTP" "$LCHAT_PID" "$n"
  load janus "http://$NS_ADDR:$JANUS_HTTP/janus" "$JANUS_PID" "$n"
  l="$OUT/lchat-$n.window.json"; j="$OUT/janus-$n.window.json"
  lp=$(field "$l" cpuMicrosPerReceivedPacket); jp=$(field "$j" cpuMicrosPerReceivedPacket)
  lm=$(field "$l" nodesCpuMicrosPerReceivedPacket)
  lr=$(field "$l" packetsReceivedPerSecond); jr=$(field "$j" packetsReceivedPerSecond)
  ratio=$(awk -v a="${jp:-0}" -v b="${lp:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  rows+=("$(printf '| %3d | %9s | %8s | %9s | %9s | %8s | %s |' "$n" "${lr:--}" "${lp:--}" "${lm:--}" "${jr:--}" "${jp:--}" "$ratio")")
  printf '%s\n' "${rows[-1]}"
done
echo
echo "Fan-out, one publisher (Opus + VP8, 320 packets/s to each subscriber), ${DURATION} s window after ${WARMUP} s, $CORES cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| subscribers | lchat packets/s received | lchat µs CPU per packet (/proc) | lchat (its /metrics) | Janus packets/s received | Janus µs CPU per packet (/proc) | Janus / lchat |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"
echo "results: $OUT/{lchat,janus}-N/result.json"
