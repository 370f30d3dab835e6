# syntax=docker/dockerfile:1
# The engine image: one process = an Orleans silo + the gRPC API (silo/RseOrleans.Silo).
# Build from the repository root, which holds the whole solution the silo project references:
#   docker build -t rse-silo:dev .
# Deployment: docs/deployment.md.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
# The cache mount keeps NuGet packages between builds without listing every project file in a
# restore layer that would break the build as soon as a new project reference is added.
RUN --mount=type=cache,id=rse-nuget,target=/root/.nuget/packages \
    dotnet publish silo/RseOrleans.Silo -c Release -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .

# appsettings.json binds the gRPC endpoint to loopback for a developer's machine; a container is
# reached from outside itself. An unprefixed variable, because it must override appsettings.json,
# which ASPNETCORE_URLS does not.
# The base image's ASPNETCORE_HTTP_PORTS=8080 would only draw a warning that Urls overrides it.
ENV Urls=http://0.0.0.0:8080 \
    Http1Urls=http://0.0.0.0:8081 \
    ASPNETCORE_HTTP_PORTS=
# appsettings.json turns on the unchecked x-rse-user header for development. An image is a
# deployment artifact: it verifies bearer tokens and refuses to start without their settings.
# For a local try-out only: docker run -e Auth__Mode=DevelopmentHeader ...
ENV Auth__Mode=Jwt

# gRPC (h2c), JSON and gRPC-Web (HTTP/1.1), Orleans silo-to-silo, Orleans gateway.
EXPOSE 8080 8081 11111 30000

# The image's built-in unprivileged user, by number so that Kubernetes' runAsNonRoot can check it.
USER $APP_UID
ENTRYPOINT ["dotnet", "RseOrleans.Silo.dll"]
