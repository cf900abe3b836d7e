#!/usr/bin/env bash
# Installs Debian's pgBackRest (backups, WAL archiving, point-in-time restore) when it is missing.
set -euo pipefail
bash "$(dirname "$0")/install-debian-packages.sh" "backups and restores" "" pgbackrest:pgbackrest
pgbackrest version
