# Shared by scripts/demo and scripts/test: make .venv from the lock file when it is missing or
# the lock changed. Needs only Python 3.11+ (with venv) on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
LOCK=requirements/dev.lock
STAMP=.venv/.installed-$(sha256sum "$LOCK" | cut -c1-16)
if [ ! -f "$STAMP" ]; then
  echo "== setting up .venv from $LOCK"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet --require-hashes -r "$LOCK"
  rm -f .venv/.installed-*
  touch "$STAMP"
fi
export PATH="$PWD/.venv/bin:$PATH"
# Front-end assets (Apache ECharts) from the npm registry, pinned by package-lock.json, served
# locally as static files. Needs Node.js with npm.
NPM_STAMP=node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)
if [ ! -f "$NPM_STAMP" ]; then
  command -v npm >/dev/null || { echo "Node.js with npm is needed for the front-end assets" >&2; exit 1; }
  echo "== installing front-end assets from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error
  rm -f node_modules/.installed-*
  touch "$NPM_STAMP"
fi
