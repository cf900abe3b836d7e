#!/usr/bin/env bash
# Installs Debian's Prometheus tools when they are missing: promtool (checks and unit-tests the
# recording and alerting rules in ops/prometheus, lints /metrics) and amtool (checks the
# Alertmanager configuration in ops/alertmanager and tests its routes). Needs root (CI and the
# dev machines run as root) and the Debian mirrors.
set -euo pipefail
missing=()
command -v promtool > /dev/null || missing+=(prometheus)
command -v amtool > /dev/null || missing+=(prometheus-alertmanager)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "Installing Debian's ${missing[*]} for the rule and route tests…"
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
# Debian starts both as services; the tests only run their command-line tools.
for service in prometheus prometheus-alertmanager; do
  (command -v service > /dev/null && $SUDO service "$service" stop > /dev/null 2>&1) || true
done
promtool --version | head -n 1
amtool --version | head -n 1
