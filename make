#!/bin/sh
# GNU make, installed first when the machine has none (a minimal Debian 12 has no make), so
# the README's two commands, `./make run` and `./make test`, work on a machine with only git.
# Any target and variable of the Makefile can be given, as to make itself.
set -e
cd "$(dirname "$0")"
if ! command -v make >/dev/null 2>&1; then
  echo "./make: installing make (Debian package make)"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends make >/dev/null
fi
exec make "$@"
