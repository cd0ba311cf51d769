#!/bin/sh
# Entry point of the stand-in image (busybox): serves a small page over HTTP on every port given,
# and, for an argument write:PATH, appends a numbered line to PATH every 20 ms (a container that
# keeps writing its data), until SIGTERM. A shell as PID 1 ignores SIGTERM unless it traps it.
trap 'exit 0' TERM INT
for arg in "$@"; do
    case "$arg" in
        write:*)
            (
                n=0
                while :; do
                    n=$((n + 1))
                    echo "line $n" >> "${arg#write:}"
                    sleep 0.02
                done
            ) &
            ;;
        *) httpd -f -p "$arg" -h /www & ;;
    esac
done
while :; do
    sleep 1 &
    wait $!
done
