#!/usr/bin/env bash
# pnpm fuzz: builds Jazzer.js's native addon (once), then runs the harness (fuzz/src/run.ts).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
bash jazzer/build-addon.sh
exec node --conditions=source --import tsx src/run.ts
