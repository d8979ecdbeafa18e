#!/usr/bin/env bash
# Runs the browser tests: builds kefu, starts it with the demo shop on a free
# port in a temporary folder, installs playwright-core and (as root, when
# missing) Debian's Chromium, runs the tests, stops kefu. Screenshots land in
# e2e/artifacts/ (not committed).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null; then
  echo "SKIPPED browser tests: node is not installed"; exit 0
fi
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the browser tests"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
  else
    echo "SKIPPED browser tests: chromium is not installed (apt-get install chromium)"; exit 0
  fi
fi
# Without a CJK font Chinese renders as boxes, and the zh-CN screenshots
# cannot be judged; the CSS asks for Noto Sans CJK SC among others.
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh 2>/dev/null)" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing a CJK font for the browser tests' screenshots"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-noto-cjk >/dev/null || echo "no CJK font: Chinese screenshots will show boxes"
fi
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --silent
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -o "$tmp/kefu" ../cmd/kefu
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18765)
"$tmp/kefu" serve --demo --data-dir "$tmp/data" --addr "127.0.0.1:$port" --log-level warn > "$tmp/kefu.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
# An API token for tests that play the shop's system or an agent through the API.
KEFU_TOKEN=$("$tmp/kefu" token add --data-dir "$tmp/data" --email admin@demo.test --name e2e)
export KEFU_TOKEN
# A test that hangs fails after 3 minutes instead of holding CI.
KEFU_URL="http://127.0.0.1:$port" node --test --test-concurrency=1 --test-timeout=180000 tests/ || { echo "--- kefu log"; tail -50 "$tmp/kefu.log"; exit 1; }
