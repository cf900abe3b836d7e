#!/usr/bin/env bash
# Installs what `npm run cluster` runs, from Debian, when it is missing: HAProxy (load balancer
# for the API processes and the PostgreSQL primary), Patroni (PostgreSQL failover), etcd
# (Patroni's consensus store) and iptables (the chaos battery's network partition). Needs root (CI and the dev machines run as root).
set -euo pipefail
missing=()
command -v haproxy > /dev/null || missing+=(haproxy)
command -v patroni > /dev/null || missing+=(patroni)
command -v etcd > /dev/null || missing+=(etcd-server)
# The chaos battery's network partition (fault 4) drops packets with iptables.
command -v iptables > /dev/null || missing+=(iptables)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "Installing Debian's ${missing[*]} for the cluster…"
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
# Debian starts some of them as services; the cluster runs its own.
for service in haproxy etcd patroni; do
  (command -v service > /dev/null && $SUDO service "$service" stop > /dev/null 2>&1) || true
done
