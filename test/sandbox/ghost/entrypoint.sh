#!/bin/sh
# Entry point of the sandbox's Ghost image, doing what the official image's docker-entrypoint.sh
# does: started as root, it gives the content folder to the node user (uid 1000) and drops to it
# (util-linux setpriv standing in for gosu; busybox sh would pick its own applet by that name);
# then it copies the default content (Casper, Source) into the content folder where it is missing,
# and runs Ghost as PID 1, so `docker stop` is its SIGTERM.
set -e
if [ "$(id -u)" = 0 ]; then
    find "$GHOST_CONTENT" \! -user node -exec chown node:node {} +
    exec /usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups "$0" "$@"
fi
base="$GHOST_INSTALL/content.orig"
for src in "$base"/*/ "$base"/themes/*; do
    src="${src%/}"
    target="$GHOST_CONTENT/${src#"$base"/}"
    mkdir -p "$(dirname "$target")"
    [ -e "$target" ] || tar -cC "$(dirname "$src")" "$(basename "$src")" | tar -xC "$(dirname "$target")"
done
exec "$@"
