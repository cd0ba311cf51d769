#!/bin/sh
# Entry point of the sandbox's database image: Debian's MariaDB, a real server where the drill needs
# one (MySQL 8 is not to be had here; production runs the pinned mysql image). It initialises an
# empty data folder, with the application's database and user from MYSQL_DATABASE, MYSQL_USER and
# MYSQL_PASSWORD as the official image does on a first start (root stays on the local socket,
# without a password, for the tests), then runs as PID 1, so `docker stop` is its SIGTERM and a
# clean shutdown.
set -e
datadir=/var/lib/mysql
mkdir -p /run/mysqld /tmp
set --
if [ ! -d "$datadir/mysql" ]; then
    mariadb-install-db --no-defaults --user=root --basedir=/usr --datadir="$datadir" \
        --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve > /dev/null
    if [ -n "${MYSQL_DATABASE:-}" ]; then
        quote() { printf '%s' "$1" | sed "s/'/''/g"; }
        {
            echo "CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;"
            echo "CREATE USER '$(quote "$MYSQL_USER")'@'%' IDENTIFIED BY '$(quote "$MYSQL_PASSWORD")';"
            echo "GRANT ALL ON \`$MYSQL_DATABASE\`.* TO '$(quote "$MYSQL_USER")'@'%';"
        } > /tmp/first-start.sql
        set -- --init-file=/tmp/first-start.sql
    fi
fi
exec mariadbd --no-defaults --user=root --basedir=/usr --datadir="$datadir" \
    --socket=/run/mysqld/mysqld.sock --bind-address=0.0.0.0 --port=3306 --skip-name-resolve "$@"
