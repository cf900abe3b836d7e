#!/usr/bin/env bash
# Installs the Debian packages whose commands are missing, then stops the services Debian starts
# with them (the project runs its own). Needs root (CI and the dev machines run as root; sudo
# otherwise) and the Debian mirrors.
#   install-debian-packages.sh PURPOSE "SERVICES TO STOP" COMMAND:PACKAGE...
set -euo pipefail
purpose=$1
services=$2
shift 2
missing=()
for pair in "$@"; do
  command -v "${pair%%:*}" > /dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "Installing Debian's ${missing[*]} for $purpose…"
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
for package in "${missing[@]}"; do
  if ! $SUDO apt-get install -y -qq --no-install-recommends "$package" > /dev/null; then
    echo "could not install the Debian package $package (apt-get install $package)" >&2
    exit 1
  fi
done
for service in $services; do
  (command -v service > /dev/null && $SUDO service "$service" stop > /dev/null 2>&1) || true
done
