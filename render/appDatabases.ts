// The declared apps' databases on the site's MySQL: a database and a user for each app that asks
// (`site:apps.<name>.database`), with rights on that database only.
//
// Where the rights come from: MySQL's root password is random and unknown (MYSQL_RANDOM_ROOT_PASSWORD)
// and its port is published nowhere, so nothing logs in as root. mysqld runs the file named by
// --init-file itself, at every start, before it takes connections, with every privilege and no
// login. So the statements are idempotent (IF NOT EXISTS; ALTER USER applies a changed password) and
// are the whole of what the site grants.
//
// One catch, from the MySQL manual (init_file): started with --initialize, as the official image's
// entrypoint starts mysqld on an empty data folder (docker_init_database_dir runs `"$@"
// --initialize-insecure`, the command's arguments included), the server is in bootstrap mode, where
// account statements (CREATE USER, GRANT) are not permitted. So the container's command passes
// --init-file only when the data folder already holds a server (the entrypoint's own test, a `mysql`
// folder in it); on the very first start the same file sits in /docker-entrypoint-initdb.d/, which
// the entrypoint runs as root once the new server is up. The MariaDB image behaves the same.
import type { DeclaredApp } from "../config/catalogue";
import { dataVolumes } from "../config/catalogue";

/** Where mysqld's --init-file reads the SQL, in the MySQL container. */
export const appDatabaseInitFile = "/etc/mysql/site/apps.sql";
/** Where the entrypoint finds it on the first start, when the data folder is new. */
export const appDatabaseFirstInitFile = "/docker-entrypoint-initdb.d/site-apps.sql";

/**
 * The MySQL container's command when an app has a database: the image's own entrypoint and mysqld,
 * with --init-file once the data folder holds a server (see above). Through `sh -c`: the image's
 * entrypoint runs any command that is not mysqld as it is, and this one execs the entrypoint again.
 */
export const mysqlCommandWithInitFile: readonly string[] = [
    "sh",
    "-c",
    `if [ -d ${dataVolumes.mysqlData.containerPath}/mysql ]; then set -- --init-file=${appDatabaseInitFile}; fi; exec docker-entrypoint.sh mysqld "$@"`,
];

/** A string as a MySQL literal: quotes doubled, backslashes escaped. */
const literal = (text: string): string => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;

/**
 * The SQL, one statement a line and no comments (MySQL before 8.0.18 reads an init file only so),
 * for every app with a database; `passwords` by app name.
 */
export function renderAppDatabaseSql(apps: readonly DeclaredApp[], passwords: Readonly<Record<string, string>>): string {
    return apps
        .flatMap((app) => {
            if (!app.database) return [];
            const { name } = app.database;
            const password = passwords[app.name];
            if (password === undefined) throw new Error(`no database password for ${app.name}`);
            const user = `${literal(name)}@'%'`;
            return [
                `CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4;`,
                `CREATE USER IF NOT EXISTS ${user} IDENTIFIED BY ${literal(password)};`,
                `ALTER USER ${user} IDENTIFIED BY ${literal(password)};`,
                `GRANT ALL PRIVILEGES ON \`${name}\`.* TO ${user};`,
            ];
        })
        .map((line) => `${line}\n`)
        .join("");
}
