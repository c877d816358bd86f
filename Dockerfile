# Build: docker build -t segmentexport .   (docker-compose.yml runs two replicas of it on one PostgreSQL)
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
RUN dotnet publish src/SegmentExport.Web/SegmentExport.Web.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
# With ConnectionStrings__Postgres set (as docker-compose.yml does) the app starts no database of its own.
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production
USER app
EXPOSE 8080
ENTRYPOINT ["dotnet", "SegmentExport.Web.dll"]
