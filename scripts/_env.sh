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
