#!/usr/bin/env bash
# The optimised binary as users run it. The tests run the debug `kiln`; Swift's optimiser once
# crashed release code they passed (POST /api/builds segfaulted in swift_task_localValuePush). This
# builds `kiln` in release and runs the paths most likely to differ: a build of the example pipelines,
# and kiln serve answering a build over Server-Sent Events, then a generation, then SIGTERM.
#   Tests/Smoke/release_smoke.sh        (from .ci/run; ~10 min on two cores for the release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --static-swift-stdlib --product kiln
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/kiln"
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cp -r pipelines "$work/"
cd "$work"

"$bin" build --provider placeholder --no-gallery >build.log 2>&1 || { cat build.log; echo "smoke: release kiln build failed"; exit 1; }
[ -f outputs/manifest.json ] || { echo "smoke: the release build wrote no outputs/manifest.json"; exit 1; }

token="$("$bin" serve token new smoke --config serve.yaml | tail -1)"
"$bin" serve --config serve.yaml --port 0 --provider placeholder >serve.out 2>serve.err &
pid=$!
for _ in $(seq 100); do [ -s serve.out ] && break; sleep 0.1; done
url="$(head -1 serve.out)"
[ -n "$url" ] || { cat serve.err; echo "smoke: kiln serve printed no URL"; exit 1; }

events="$(curl -sS -N --max-time 300 -X POST "$url/api/builds" -H "Authorization: Bearer $token" \
          -H 'Content-Type: application/json' -d '{}')" || true
echo "$events" | grep -q '"status": 0' || { echo "$events" | tail -5; cat serve.err; echo "smoke: POST /api/builds did not finish with status 0"; exit 1; }
kill -0 "$pid" 2>/dev/null || { cat serve.err; echo "smoke: kiln serve died during /api/builds"; exit 1; }

answer="$(curl -sS --max-time 60 "$url/api/images" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
          -d '{"prompt": "a smoke test", "size": "1024x1024", "quality": "low"}')"
echo "$answer" | grep -q '"digest"' || { echo "$answer"; echo "smoke: POST /api/images gave no image"; exit 1; }

kill -TERM "$pid"
status=0; wait "$pid" || status=$?
pid=""
[ "$status" = 0 ] || { cat serve.err; echo "smoke: kiln serve exited $status on SIGTERM"; exit 1; }
echo "smoke: the release kiln built the examples and served a build, an image and a clean shutdown"
