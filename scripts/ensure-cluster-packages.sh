#!/usr/bin/env bash
# Installs what `npm run cluster` runs, from Debian, when it is missing: HAProxy (load balancer
# for the API processes and the PostgreSQL primary), Patroni (PostgreSQL failover), etcd
# (Patroni's consensus store) and iptables (the chaos battery's network partition, fault 4).
set -euo pipefail
bash "$(dirname "$0")/install-debian-packages.sh" "the cluster" "haproxy etcd patroni" \
  haproxy:haproxy patroni:patroni etcd:etcd-server iptables:iptables
