#!/usr/bin/env bash
# The runner's health check: healthy while its listener (Runner.Listener) runs.
#
# Docker only marks a container "unhealthy"; no restart policy acts on that. So after
# HEALTH_RESTART_AFTER consecutive misses (default 3) this stops the container's main process,
# and `restart: unless-stopped` starts a fresh container that registers again. A job whose
# listener is gone is lost anyway; its upgrade resumes from the journal when re-run.
set -euo pipefail

state="${HEALTH_STATE_FILE:-/tmp/runner-health-misses}"
main_pid="${HEALTH_MAIN_PID:-1}"
limit="${HEALTH_RESTART_AFTER:-3}"

if pgrep -f Runner.Listener >/dev/null; then
  echo 0 >"$state"
  echo "listener running"
  exit 0
fi
misses=$(($(cat "$state" 2>/dev/null || echo 0) + 1))
echo "$misses" >"$state"
echo "listener not running ($misses/$limit)"
if ((misses >= limit)); then
  echo "stopping the container so that its restart policy starts a fresh one"
  kill -TERM "$main_pid"
fi
exit 1
