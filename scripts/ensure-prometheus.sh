#!/usr/bin/env bash
# Installs Debian's Prometheus tools when they are missing: promtool (checks and unit-tests the
# recording and alerting rules in ops/prometheus, lints /metrics) and amtool (checks the
# Alertmanager configuration in ops/alertmanager and tests its routes).
set -euo pipefail
bash "$(dirname "$0")/install-debian-packages.sh" "the rule and route tests" \
  "prometheus prometheus-alertmanager" promtool:prometheus amtool:prometheus-alertmanager
promtool --version | head -n 1
amtool --version | head -n 1
