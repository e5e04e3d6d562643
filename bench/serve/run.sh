#!/bin/bash
# bench/serve/run.sh — frost serve under load on this machine, loopback only, bounded in time
# (about 2 minutes with the defaults). docs/serving.md reports what it printed.
#
#   bench/serve/run.sh [BUILD_DIR] [SECONDS]
#
# 1. direct: one `frost serve --threads 2` with the expert model; wrk, 32 keep-alive connections,
#    SECONDS (default 20) of v2 JSON requests (one Fashion-MNIST image each), then the same with
#    binary tensors; the server's own time per request from /metrics.
# 2. in-process: the same 32 clients as threads calling frost directly through a pool of 2
#    sessions (bench/serve/serve_overhead inprocess): the baseline for the server's overhead.
# 3. one client, one keep-alive connection: HTTP round trip vs the in-process call (tight loop, and
#    after one system call), with each request's time split by the server's --timing-header
#    stamps (serve_overhead single).
# 4. balancer: 2 replicas (--threads 1 each) behind haproxy with health checks on
#    /v2/health/ready and retries; wrk with 32 connections for SECONDS; one replica is killed
#    (SIGKILL) a third of the way in and restarted on the same port 3 s later. Every request
#    must succeed: wrk's status counts and connection errors, and haproxy's retry and redispatch
#    counters, are printed.
# Needs wrk and haproxy (Debian; scripts/setup-debian.sh) and Fashion-MNIST (dataset-fashion-mnist).
# Every process started here is stopped here (trap), by PID.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
SECONDS_RUN=${2:-20}
FROST=$BUILD/frost
OVERHEAD=$BUILD/bench/serve/serve_overhead
IMAGES=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
MODEL=models/fashion/expert.onnx
for need in "$FROST" "$OVERHEAD"; do
  [ -x "$need" ] || { echo "run.sh: $need is missing: cmake --build $BUILD --target frost serve_overhead" >&2; exit 1; }
done
command -v wrk >/dev/null && command -v haproxy >/dev/null || { echo "run.sh: needs wrk and haproxy (scripts/setup-debian.sh)" >&2; exit 1; }
[ -f "$IMAGES" ] || { echo "run.sh: needs $IMAGES (dataset-fashion-mnist)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/frost-serve-bench.XXXXXX)
PIDS=""
cleanup() {
  for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in $PIDS; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

mkdir -p "$WORK/repo/expert/1"
ln -s "$PWD/$MODEL" "$WORK/repo/expert/1/model.onnx"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_server() {   # start_server PORT THREADS LOG [EXTRA OPTION...] -> sets SERVER_PID
  local port=$1 threads=$2 log=$3
  shift 3
  "$FROST" serve --model-repository "$WORK/repo" --host 127.0.0.1 --port "$port" --threads "$threads" \
    --poll-seconds 0 "$@" >"$log.out" 2>"$log" &
  SERVER_PID=$!
  PIDS="$PIDS $SERVER_PID"
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/v2/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "run.sh: the server on port $port did not become ready" >&2
  cat "$log" >&2
  return 1
}

# request bodies: the first test image, as v2 JSON and as v2 binary
/usr/bin/python3 - "$IMAGES" "$WORK" <<'EOF'
import gzip, json, struct, sys
images, work = sys.argv[1], sys.argv[2]
raw = gzip.open(images).read()[16:16 + 784]
px = [struct.unpack("f", struct.pack("f", b / 255.0))[0] for b in raw]
open(work + "/expert.json", "w").write(json.dumps(
    {"inputs": [{"name": "input", "shape": [1, 1, 28, 28], "datatype": "FP32", "data": px}]}))
hdr = json.dumps({"inputs": [{"name": "input", "shape": [1, 1, 28, 28], "datatype": "FP32",
                              "parameters": {"binary_data_size": 3136}}],
                  "outputs": [{"name": "softmax", "parameters": {"binary_data": True}}]}).encode()
open(work + "/expert.bin", "wb").write(hdr + struct.pack("<784f", *px))
open(work + "/expert.bin.hdr", "w").write(str(len(hdr)))
EOF

echo "== machine"
lscpu | grep -E "^Model name|^CPU\(s\)|^Thread|^Core"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "== 1. direct: one frost serve --threads 2, wrk -t2 -c32 -d${SECONDS_RUN}s"
P=$(free_port)
start_server "$P" 2 "$WORK/direct.log" --timing-header   # stamps for section 3's breakdown
DIRECT=$SERVER_PID
URL="http://127.0.0.1:$P/v2/models/expert/infer"
wrk -t1 -c4 -d2s -s bench/serve/post.lua "$URL" >/dev/null 2>&1 || true   # warm-up
BODY=$WORK/expert.json
export BODY
snap() { curl -s "http://127.0.0.1:$P/metrics" >"$WORK/metrics.$1"; }
snap 0
echo "-- JSON"
wrk -t2 -c32 -d"${SECONDS_RUN}s" --timeout 10s --latency -s bench/serve/post.lua "$URL" | grep -vE "^\s+(50|75|90|99)%" | sed 's/^/   /'
snap 1
/usr/bin/python3 bench/serve/overhead_from_metrics.py "$WORK/metrics.0" "$WORK/metrics.1" | sed 's/^/   /'
echo "-- binary tensor data"
BODY=$WORK/expert.bin CONTENT_TYPE=application/octet-stream INFERENCE_HEADER_LEN=$(cat "$WORK/expert.bin.hdr") \
  wrk -t2 -c32 -d"${SECONDS_RUN}s" --timeout 10s --latency -s bench/serve/post.lua "$URL" | grep -vE "^\s+(50|75|90|99)%" | sed 's/^/   /'
snap 2
/usr/bin/python3 bench/serve/overhead_from_metrics.py "$WORK/metrics.1" "$WORK/metrics.2" | sed 's/^/   /'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "== 2. in-process: 32 threads, 2 sessions, ${SECONDS_RUN}s"
"$OVERHEAD" inprocess --model "$MODEL" --images "$IMAGES" --clients 32 --sessions 2 --seconds "$SECONDS_RUN" | sed 's/^/   /'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "== 3. one client, one keep-alive connection"
snap 3
"$OVERHEAD" single --model "$MODEL" --images "$IMAGES" --port "$P" --name expert --n 3000 | sed 's/^/   /'
snap 4
/usr/bin/python3 bench/serve/overhead_from_metrics.py "$WORK/metrics.3" "$WORK/metrics.4" | sed 's/^/   /'
kill -TERM "$DIRECT"; wait "$DIRECT" || true
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "== 4. balancer: 2 replicas (--threads 1) behind haproxy, wrk -t2 -c32 -d${SECONDS_RUN}s, replica 1 killed and restarted"
P1=$(free_port); P2=$(free_port); PH=$(free_port); PS=$(free_port)
start_server "$P1" 1 "$WORK/r1.log"; R1=$SERVER_PID
start_server "$P2" 1 "$WORK/r2.log"; R2=$SERVER_PID
cat >"$WORK/haproxy.cfg" <<EOF
global
  maxconn 1024
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  retries 3
  option redispatch 1
  retry-on all-retryable-errors
  http-reuse safe
frontend fe
  bind 127.0.0.1:$PH
  default_backend replicas
backend replicas
  balance leastconn
  option httpchk GET /v2/health/ready
  http-check expect status 200
  default-server inter 300ms fall 2 rise 2
  server r1 127.0.0.1:$P1 check
  server r2 127.0.0.1:$P2 check
listen stats
  bind 127.0.0.1:$PS
  stats enable
  stats uri /stats
EOF
haproxy -f "$WORK/haproxy.cfg" -db >"$WORK/haproxy.log" 2>&1 &
HAPROXY=$!
PIDS="$PIDS $HAPROXY"
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PH/v2/health/ready" >/dev/null 2>&1 && break; sleep 0.05; done
BODY=$WORK/expert.json wrk -t2 -c32 -d"${SECONDS_RUN}s" --timeout 10s --latency -s bench/serve/post.lua \
  "http://127.0.0.1:$PH/v2/models/expert/infer" >"$WORK/wrk_lb.txt" &
WRK=$!
PIDS="$PIDS $WRK"
KILL_AT=$((SECONDS_RUN / 3))
sleep "$KILL_AT"
kill -KILL "$R1"; wait "$R1" 2>/dev/null || true
echo "   t=${KILL_AT}s: replica 1 (port $P1) killed with SIGKILL"
sleep 3
start_server "$P1" 1 "$WORK/r1b.log"; R1=$SERVER_PID
echo "   t=$((KILL_AT + 3))s: replica 1 restarted, ready at t≈$((KILL_AT + 3))s + its load time"
wait "$WRK" || true
grep -vE "^\s+(50|75|90|99)%" "$WORK/wrk_lb.txt" | sed 's/^/   /'
curl -s "http://127.0.0.1:$PS/stats;csv" | awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) h[$i] = i}
  $1 == "replicas" {printf "   haproxy %-8s sessions %s, retries %s, redispatches %s, connection errors %s, response errors %s, 5xx %s, status %s\n",
    $2, $h["stot"], $h["wretr"], $h["wredis"], $h["econ"], $h["eresp"], $h["hrsp_5xx"], $h["status"]}'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
