#!/usr/bin/env bash
# The GitHub Action's install step: lambdalint in a virtual environment of its own, made with
# the Python that actions/setup-python installed without putting it on PATH, so the caller's
# Python, PATH and site-packages are left as they were.
#
#   install.sh key      print the venv's folder and cache key to $GITHUB_OUTPUT
#   install.sh install  create the venv and install lambdalint into it (unless the cache
#                       restored it), print the lambdalint executable to $GITHUB_OUTPUT
#
# Environment: PYTHON (setup-python's python-path), LAMBDALINT_VERSION (a release on PyPI;
# empty: the action's own checkout), ACTION_PATH, RUNNER_TEMP, RUNNER_OS, GITHUB_OUTPUT;
# VENV for `install` (the folder `key` printed).
set -euo pipefail

venv_python() {
  if [ -x "$1/bin/python" ]; then echo "$1/bin/python"; else echo "$1/Scripts/python.exe"; fi
}

venv_lambdalint() {
  if [ -x "$1/bin/lambdalint" ]; then echo "$1/bin/lambdalint"; else echo "$1/Scripts/lambdalint.exe"; fi
}

source_digest() {
  # what the action's own checkout installs: its package, rules and build configuration
  (cd "$ACTION_PATH" && find pyproject.toml lambdalint rules -type f ! -name '*.pyc' -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}

case "${1:-}" in
  key)
    python_version="$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
    if [ -n "${LAMBDALINT_VERSION:-}" ]; then
      what="pypi-${LAMBDALINT_VERSION}"
    else
      what="checkout-$(source_digest)"
    fi
    {
      echo "venv=${RUNNER_TEMP}/lambdalint-venv"
      echo "key=lambdalint-venv-${RUNNER_OS:-os}-py${python_version}-${what}"
    } >> "$GITHUB_OUTPUT"
    ;;
  install)
    if [ ! -x "$(venv_lambdalint "$VENV")" ]; then
      rm -rf "$VENV"
      "$PYTHON" -m venv "$VENV"
      if [ -n "${LAMBDALINT_VERSION:-}" ]; then
        spec="lambdalint==${LAMBDALINT_VERSION}"
      else
        spec="$ACTION_PATH"
      fi
      "$(venv_python "$VENV")" -m pip install --quiet --disable-pip-version-check "$spec"
    fi
    echo "lambdalint=$(venv_lambdalint "$VENV")" >> "$GITHUB_OUTPUT"
    ;;
  *)
    echo "usage: install.sh key|install" >&2
    exit 2
    ;;
esac
