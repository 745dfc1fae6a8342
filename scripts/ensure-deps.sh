#!/bin/sh
# Installs the locked dependencies (and Node 24 with them) when node_modules is missing or older
# than package-lock.json, so `npm start` and `npm test` work on a fresh clone with no other step.
set -e
cd "$(dirname "$0")/.."
stamp=node_modules/.roster-deps-stamp
want=$(cksum < package-lock.json)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x node_modules/.bin/node ]; then
  exit 0
fi
echo "roster: installing dependencies (npm ci)..." >&2
npm ci --no-audit --no-fund --loglevel=error >&2
echo "$want" > "$stamp"
