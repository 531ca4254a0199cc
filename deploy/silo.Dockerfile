# syntax=docker/dockerfile:1
# The silo image (Transport.Silo.dll). Build from the repository root:
#   docker build -f deploy/silo.Dockerfile -t transport-silo:local .
# Settings are the Transport section (README, "Cluster configuration") as Transport__KEY variables; the ENV below
# are the container defaults, compose.yaml and k8s/silo.yaml add Redis, ids and the advertised address.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Project files first, so that the restore layer is reused while only sources change.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig README.md ./
COPY Numerics/Numerics.csproj Numerics/
COPY Grains.Interfaces/Grains.Interfaces.csproj Grains.Interfaces/
COPY Grains/Grains.csproj Grains/
COPY Silo/Silo.csproj Silo/
RUN dotnet restore Silo/Silo.csproj
COPY Numerics/ Numerics/
COPY Grains.Interfaces/ Grains.Interfaces/
COPY Grains/ Grains/
COPY Silo/ Silo/
RUN dotnet publish Silo/Silo.csproj -c Release --no-restore -o /app

# ASP.NET Core runtime: the silo serves the Orleans dashboard (Transport:DashboardPort).
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV Transport__Clustering=redis \
    Transport__Storage=redis \
    Transport__ListenOnAnyAddress=true \
    Transport__SiloPort=11111 \
    Transport__GatewayPort=30000 \
    Transport__DashboardPort=8080 \
    Transport__DashboardAddress=0.0.0.0
# Silo-to-silo, client gateway, dashboard (HTTP).
EXPOSE 11111 30000 8080
# The non-root user of the .NET images (uid 1654).
USER $APP_UID
# Healthy once the gateway accepts connections (bash's /dev/tcp: the image has no curl).
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${Transport__GatewayPort}"]
ENTRYPOINT ["dotnet", "Transport.Silo.dll"]
