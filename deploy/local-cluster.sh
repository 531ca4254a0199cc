#!/usr/bin/env bash
# Starts (or stops) a cluster of silos on this machine, on loopback ports.
#   deploy/local-cluster.sh start [SILOS]   # default 2 silos: silo ports 11111.., gateways 30000..
#   deploy/local-cluster.sh stop
# Then: transport sinkhorn ... --cluster localhost:30000
set -euo pipefail
cd "$(dirname "$0")/.."
state=deploy/.local-cluster
command=${1:-start}
silos=${2:-2}

case "$command" in
  start)
    mkdir -p "$state"
    dotnet build -c Release Silo/Silo.csproj -v quiet -nologo >/dev/null
    for ((i = 0; i < silos; i++)); do
      silo_port=$((11111 + i))
      gateway_port=$((30000 + i))
      dotnet Silo/bin/Release/net10.0/Transport.Silo.dll \
        --Transport:SiloPort=$silo_port --Transport:GatewayPort=$gateway_port --Transport:PrimarySiloPort=11111 \
        >"$state/silo-$i.log" 2>&1 &
      echo $! >"$state/silo-$i.pid"
      # Wait for the gateway so that later silos find the primary and clients can connect.
      for _ in $(seq 1 120); do
        if (exec 3<>/dev/tcp/127.0.0.1/$gateway_port) 2>/dev/null; then break; fi
        sleep 0.5
      done
      echo "silo $i: silo port $silo_port, gateway localhost:$gateway_port (log $state/silo-$i.log)"
    done
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
    echo "usage: $0 start [SILOS] | stop" >&2
    exit 2
    ;;
esac
