#!/usr/bin/env bash
# Installs Debian's pgBackRest (backups, WAL archiving, point-in-time restore) when it is missing.
# Needs root (CI and the dev machines run as root) and the Debian mirrors.
set -euo pipefail
if command -v pgbackrest > /dev/null; then exit 0; fi
echo "Installing Debian's pgbackrest for backups and restores…"
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends pgbackrest > /dev/null
pgbackrest version
