#!/usr/bin/env bash
# The command line of the GitHub Action (action.yml): lago-conformance, with an option for each
# input that is set. Inputs come as INPUT_* variables; the API key comes from LAGO_API_KEY.
set -euo pipefail

mode="${INPUT_MODE:-server}"
fail() { echo "::error title=lago-conformance action::$1"; exit 2; }

args=("$mode" --report-dir "${INPUT_REPORT_DIR:-reports}")
add() { if [ -n "$2" ]; then args+=("$1" "$2"); fi; }

case "$mode" in
  server)
    if [ -n "${INPUT_ADAPTER:-}${INPUT_COMMAND:-}" ]; then
      fail "adapter and command are inputs of mode client, not server"
    fi
    add --base-url "${INPUT_BASE_URL:-}"
    add --fixtures "${INPUT_FIXTURES:-}"
    ;;
  client)
    if [ -n "${INPUT_BASE_URL:-}${INPUT_FIXTURES:-}" ]; then
      fail "base-url and fixtures are inputs of mode server, not client"
    fi
    add --adapter "${INPUT_ADAPTER:-}"
    add --command "${INPUT_COMMAND:-}"
    ;;
  *) fail "mode is server or client, not '$mode'" ;;
esac
add --level "${INPUT_LEVEL:-}"
add --fail-on "${INPUT_FAIL_ON:-}"
add --baseline "${INPUT_BASELINE:-}"
add --spec "${INPUT_SPEC:-}"
if [ -n "${INPUT_ARGS:-}" ]; then
  # Split as a shell would, quotes included, without evaluating anything.
  mapfile -t extra < <(python -c 'import os, shlex; print("\n".join(shlex.split(os.environ["INPUT_ARGS"])))')
  args+=("${extra[@]}")
fi

printf 'lago-conformance'; printf ' %q' "${args[@]}"; printf '\n'
exec lago-conformance "${args[@]}"
