// Before a snapshot: a state of the data volume that restores cleanly. MySQL's files copied
// mid-write may not, so the database is dumped in one transaction to the volume, and the volume's
// filesystem is flushed. The snapshot then holds both the live files and a consistent dump.
import { backupsDir, containerName, dataRoot, mysql } from "../config/catalogue";
import { HostScript, script } from "./shell";

export const databaseDump = `${backupsDir}/ghost.sql`;

export function renderSnapshotPrepareScript(): HostScript {
    return script(
        "80-snapshot-prepare",
        "a consistent database dump on the data volume, flushed to disk, before its snapshot.",
        `
install -d -m 0700 ${backupsDir}
tmp=$(mktemp ${databaseDump}.XXXXXX)
# The credentials stay inside the container: read from its environment, never on a command line.
# shellcheck disable=SC2016
docker exec ${containerName(mysql)} sh -c 'MYSQL_PWD="$MYSQL_PASSWORD" exec mysqldump --single-transaction --no-tablespaces --routines -u "$MYSQL_USER" "$MYSQL_DATABASE"' > "$tmp"
mv "$tmp" ${databaseDump}
sync -f ${dataRoot}
echo "dumped the database to ${databaseDump}"
`,
    );
}
