#!/usr/bin/env bash
# First step of `npm test`: makes sure the programs the tests run exist, so that `npm test` passes
# on a fresh Debian/Ubuntu machine by itself.
#
#   chromium   browser end-to-end tests (Debian's package, never a browser download);
#              CHROMIUM_PATH names another binary and is used as given.
#   ffmpeg     media tests (ffmpeg and ffprobe).
#   terraform  checked by scripts/terraform-test.sh, which also finds the provider mirror; it cannot
#              come from Debian's archive, so it is not installed here.
#
# A missing package is installed with apt-get when this runs as root (or with password-less sudo);
# otherwise the script stops with one line saying what to install. TEST_PREREQUISITES=skip skips
# the installs (the tests that need the programs then fail on their own).
set -euo pipefail

say() { printf 'test-prerequisites: %s\n' "$*"; }
fail() {
  printf 'test-prerequisites: %s\n' "$*" >&2
  exit 1
}

[[ "${TEST_PREREQUISITES:-}" == "skip" ]] && exit 0

missing=()

if [[ -n "${CHROMIUM_PATH:-}" ]]; then
  [[ -x "${CHROMIUM_PATH}" ]] || fail "CHROMIUM_PATH=${CHROMIUM_PATH} is not an executable file: point it at a Chromium binary, or unset it to use Debian's chromium (/usr/bin/chromium)."
elif [[ ! -x /usr/bin/chromium ]]; then
  missing+=(chromium)
fi

if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
  missing+=(ffmpeg)
fi

[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  fail "${missing[*]} missing and there is no apt-get here: install ${missing[*]} with this system's package manager (or set CHROMIUM_PATH), then run npm test again."
fi

if [[ "$(id -u)" == 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  fail "${missing[*]} missing: run \`sudo apt-get install -y ${missing[*]}\` (or set CHROMIUM_PATH to a Chromium binary), then npm test again."
fi

say "installing ${missing[*]} (Debian packages, apt-get)"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
say "installed ${missing[*]}"
