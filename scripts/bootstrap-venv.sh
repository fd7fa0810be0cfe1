#!/usr/bin/env bash
# Creates or refreshes a virtualenv from pinned requirement files, then installs the plugin (and the
# test suite's third-party catalogue package) editable. Fast when nothing changed: the venv keeps a
# stamp named after the checksum of the requirement files and setup files, and a matching stamp
# means there is nothing to do.
#
#   scripts/bootstrap-venv.sh VENV PYTHON REQUIREMENTS_FILE...
#   e.g. scripts/bootstrap-venv.sh .venv ~/.pyenv/versions/3.11.7/bin/python requirements/py311/test.txt requirements/py311/dev.txt
#
# A venv built by another Python minor version is rebuilt. The install log is VENV/install.log.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 3 ]; then
  echo "usage: $0 VENV PYTHON REQUIREMENTS_FILE..." >&2
  exit 2
fi
venv=$1 python=$2; shift 2
reqs=("$@")
editables=(. tests/catalogue/thirdparty_pkg)

if [ -z "$python" ] || ! "$python" -c 'import sys' 2>/dev/null; then
  echo "bootstrap-venv: no usable Python interpreter ('$python') for $venv (pyenv install it, or pass PY311=/PY312=)" >&2
  exit 1
fi
want=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

checksum=$(cat "${reqs[@]}" setup.py requirements/base.in tests/catalogue/thirdparty_pkg/setup.py | md5sum | cut -c1-12)
stamp="$venv/.installed-$want-$checksum"
if [ -e "$stamp" ] && [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import lms_automations' 2>/dev/null; then
  exit 0  # up to date
fi

have=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
if [ "$have" != "$want" ]; then
  [ -z "$have" ] || echo "==> $venv has Python $have, not $want: rebuilding it"
  rm -rf "$venv"
  echo "==> Creating $venv with Python $want"
  "$python" -m venv "$venv"
fi

echo "==> Installing ${reqs[*]} into $venv (log: $venv/install.log)"
start=$SECONDS
# pip itself at the version pinned beside the requirement files (dev.txt pins it).
pip_pin=$(grep -hsE '^pip==' "${reqs[@]}" "$(dirname "${reqs[0]}")/dev.txt" | head -1 || true)
if ! {
  "$venv/bin/python" -m pip install --disable-pip-version-check "${pip_pin:-pip}" &&
  "$venv/bin/python" -m pip install --disable-pip-version-check "${reqs[@]/#/-r}" &&
  "$venv/bin/python" -m pip install --disable-pip-version-check --no-deps "${editables[@]/#/-e}"
} >"$venv/install.log" 2>&1; then
  grep -v "is ignored: it is neither a file nor a directory" "$venv/install.log" | tail -40 >&2
  echo "bootstrap-venv: pip install failed; full log in $venv/install.log" >&2
  exit 1
fi
rm -f "$venv"/.installed-*
# stevedore keeps entry points in an on-disk cache keyed by sys.path and file times; after an
# editable reinstall it can keep serving the old catalogue to some interpreters (seen with pytest's
# sys.path). Drop it: it is rebuilt on the next load.
rm -rf "${XDG_CACHE_HOME:-$HOME/.cache}/python-entrypoints"
touch "$stamp"
echo "==> $venv ready ($((SECONDS - start)) s)"
