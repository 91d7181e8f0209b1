#!/bin/sh
# One call of POST /invoices/{lago_id}/payment_url with curl and jq; prints the outcome as JSON.
id=$(jq -rn --arg id "$LAGO_INVOICE_ID" '$id | @uri')
body=$(mktemp) && head=$(mktemp) && trap 'rm -f "$body" "$head"' EXIT
for try in 1 2 3 4; do
  status=$(curl -sS --max-time "${LAGO_TIMEOUT:-20}" -o "$body" -D "$head" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $LAGO_API_KEY" "${LAGO_API_URL%/}/invoices/$id/payment_url") || status=0
  [ "$status" = 429 ] && [ "$try" -lt 4 ] || break
  # The larger hint: Retry-After in seconds or as an HTTP-date, X-RateLimit-Reset in seconds.
  after=$(tr -d '\r' < "$head" | sed -n 's/^retry-after: *//ip' | head -n 1)
  reset=$(tr -d '\r' < "$head" | sed -n 's/^x-ratelimit-reset: *\([0-9][0-9]*\)$/\1/ip' | head -n 1)
  case $after in
    '') after=0 ;;
    *[!0-9]*) at=$(date -d "$after" +%s 2>/dev/null) && after=$((at - $(date +%s))) || after=0 ;;
  esac
  wait=$((after > ${reset:-0} ? after : ${reset:-0}))
  [ "$wait" -le 5 ] || break  # a hint of more than 5 s: give up, with the 429
  [ "$wait" -gt 0 ] && sleep "$wait"
done
jq -cn --argjson s "$status" --rawfile b "$body" '($b | try fromjson catch null) as $j
  | ($j | if type == "object" then . else {} end) as $o
  | if $s >= 200 and $s < 300 and ($o.invoice_payment_details | type) == "object" then {ok: true, details: $o.invoice_payment_details}
    else {ok: false, status: (if $s == 0 then null else $s end), code: $o.code,
          error_details: $o.error_details, message: ($o.error // "HTTP \($s)")} end'
