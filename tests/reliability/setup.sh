#!/usr/bin/env bash
# Installs what the reliability suite needs: the npm packages (package-lock.json) and a
# Python venv with httpx-sse (requirements.txt) for the interop test.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
