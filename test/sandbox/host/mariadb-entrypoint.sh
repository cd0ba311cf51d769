#!/bin/sh
# Entry point of the sandbox's database image: Debian's MariaDB, a real server where the drill needs
# one (MySQL 8 is not to be had here; production runs the pinned mysql image). It initialises an
# empty data folder, then runs as PID 1, so `docker stop` is its SIGTERM and a clean shutdown.
set -e
datadir=/var/lib/mysql
mkdir -p /run/mysqld /tmp
if [ ! -d "$datadir/mysql" ]; then
    mariadb-install-db --no-defaults --user=root --basedir=/usr --datadir="$datadir" \
        --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve > /dev/null
fi
exec mariadbd --no-defaults --user=root --basedir=/usr --datadir="$datadir" \
    --socket=/run/mysqld/mysqld.sock --bind-address=0.0.0.0 --port=3306 --skip-name-resolve
