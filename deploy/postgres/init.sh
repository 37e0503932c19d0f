#!/bin/sh
# Run once by the postgres image on an empty volume: one database and one login for
# conversations (Rasa), and one for the app's tables, so neither can read the other's.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE rasa LOGIN PASSWORD '$RASA_DB_PASSWORD';
CREATE DATABASE tracker OWNER rasa;
CREATE ROLE app LOGIN PASSWORD '$APP_DB_PASSWORD';
CREATE DATABASE app OWNER app;
SQL
