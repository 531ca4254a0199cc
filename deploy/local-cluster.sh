#!/usr/bin/env bash
# Starts (or stops) a cluster of silos on this machine, on loopback ports.
#   deploy/local-cluster.sh start [SILOS] [redis://HOST:PORT]   # default 2 silos: silo ports 11111.., gateways 30000..
#   deploy/local-cluster.sh stop
# Without a Redis URL the silos use localhost clustering (the first silo is the primary and must stay up); then
#   transport sinkhorn ... --cluster localhost:30000
# With a Redis URL they keep membership, grain state and reminders in that Redis (no primary: any silo may stop); then
#   transport sinkhorn ... --cluster redis://HOST:PORT
# Environment variables Transport__* (README, "Cluster configuration") reach every silo.
set -euo pipefail
cd "$(dirname "$0")/.."
state=deploy/.local-cluster
command=${1:-start}
silos=${2:-2}
redis_url=${3:-}

case "$command" in
  start)
    mkdir -p "$state"
    settings=()
    if [ -n "$redis_url" ]; then
      case "$redis_url" in
        redis://*) redis=${redis_url#redis://}; redis=${redis%/} ;;
        *) echo "error: expected redis://HOST:PORT, got '$redis_url'" >&2; exit 2 ;;
      esac
      settings=(--Transport:Clustering=redis --Transport:Storage=redis "--Transport:Redis=$redis" --Transport:AdvertisedAddress=127.0.0.1)
    fi
    dotnet build -c Release Silo/Silo.csproj -v quiet -nologo >/dev/null
    for ((i = 0; i < silos; i++)); do
      silo_port=$((11111 + i))
      gateway_port=$((30000 + i))
      dotnet Silo/bin/Release/net10.0/Transport.Silo.dll \
        --Transport:SiloPort=$silo_port --Transport:GatewayPort=$gateway_port --Transport:PrimarySiloPort=11111 "${settings[@]}" \
        >"$state/silo-$i.log" 2>&1 &
      pid=$!
      echo $pid >"$state/silo-$i.pid"
      # Wait for the gateway so that later silos find the first one (localhost clustering) and clients can connect.
      for _ in $(seq 1 120); do
        if ! kill -0 "$pid" 2>/dev/null; then
          # A bad setting: the silo printed one line naming it and exited.
          grep '^error: ' "$state/silo-$i.log" >&2 || tail -n 5 "$state/silo-$i.log" >&2
          rm -f "$state/silo-$i.pid"
          exit 1
        fi
        if (exec 3<>/dev/tcp/127.0.0.1/$gateway_port) 2>/dev/null; then break; fi
        sleep 0.5
      done
      echo "silo $i: pid $pid, silo port $silo_port, gateway localhost:$gateway_port (log $state/silo-$i.log)"
    done
    if [ -n "$redis_url" ]; then echo "clients: --cluster $redis_url"; else echo "clients: --cluster localhost:30000"; fi
    ;;
  stop)
    for pid_file in "$state"/silo-*.pid; do
      [ -e "$pid_file" ] || continue
      kill "$(cat "$pid_file")" 2>/dev/null || true
      rm -f "$pid_file"
    done
    echo "stopped"
    ;;
  *)
    echo "usage: $0 start [SILOS] [redis://HOST:PORT] | stop" >&2
    exit 2
    ;;
esac
