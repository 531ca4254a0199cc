# syntax=docker/dockerfile:1
# The console image (transport.dll, the `transport` command). Build from the repository root:
#   docker build -f deploy/client.Dockerfile -t transport-client:local .
# Run: docker run --rm transport-client:local sinkhorn --demo --cluster redis://HOST:6379 --out /data/demo
# It reads the same Transport__KEY variables as the silos (ids, message limits); --cluster-id/--service-id win.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig README.md ./
COPY Numerics/Numerics.csproj Numerics/
COPY Grains.Interfaces/Grains.Interfaces.csproj Grains.Interfaces/
COPY Grains/Grains.csproj Grains/
COPY Silo/Silo.csproj Silo/
COPY Client/Client.csproj Client/
RUN dotnet restore Client/Client.csproj
COPY Numerics/ Numerics/
COPY Grains.Interfaces/ Grains.Interfaces/
COPY Grains/ Grains/
COPY Silo/ Silo/
COPY Client/ Client/
# The demo run specifications are embedded from examples/.
COPY examples/ examples/
RUN dotnet publish Client/Client.csproj -c Release --no-restore -o /app

# ASP.NET Core runtime: the console references the silo project (embedded silo), which references ASP.NET Core.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# Outputs (--out) go under /data: mount a folder there.
WORKDIR /data
RUN chown "$APP_UID" /data
USER $APP_UID
ENTRYPOINT ["dotnet", "/app/transport.dll"]
