#!/bin/sh
# Entry point of the stand-in image (busybox): serves a small page over HTTP on every port given,
# until SIGTERM. A shell as PID 1 ignores SIGTERM unless it traps it.
trap 'exit 0' TERM INT
for port in "$@"; do
    httpd -f -p "$port" -h /www &
done
while :; do
    sleep 1 &
    wait $!
done
