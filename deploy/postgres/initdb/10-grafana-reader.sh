#!/usr/bin/env bash
# Creates grafana_reader, the login of Grafana's PostgreSQL data source: it may read what
# fakewatch stores (the `results` view and the tables) and change nothing.
#
# The postgres image runs this once, as POSTGRES_USER, when it initialises an empty data volume
# (docker-compose.yml mounts this folder at /docker-entrypoint-initdb.d). The tables do not
# exist yet then (the `migrate` service creates them), so SELECT is granted as a default
# privilege on what POSTGRES_USER creates later, and on what exists already, so that running it
# again on a database made before (`docker compose exec postgres bash
# /docker-entrypoint-initdb.d/10-grafana-reader.sh`) works too. The password comes from
# GRAFANA_DB_PASSWORD.
set -eo pipefail
: "${GRAFANA_DB_PASSWORD:?set GRAFANA_DB_PASSWORD (see .env.example)}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet \
    --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner="$POSTGRES_USER" -v dbname="$POSTGRES_DB" \
    -v reader_password="$GRAFANA_DB_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE grafana_reader'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'grafana_reader')
\gexec
ALTER ROLE grafana_reader WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
    PASSWORD :'reader_password';
ALTER ROLE grafana_reader SET default_transaction_read_only = on;
ALTER ROLE grafana_reader SET statement_timeout = '30s';
GRANT CONNECT ON DATABASE :"dbname" TO grafana_reader;
GRANT USAGE ON SCHEMA public TO grafana_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO grafana_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT ON TABLES TO grafana_reader;
SQL
