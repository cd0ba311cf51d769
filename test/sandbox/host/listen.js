// Stand-ins for services on the droplet host itself (sshd on 22, anything else an admin might
// start): accepts TCP connections on every given port, IPv4 and IPv6.
// Usage: node listen.js PORT...
"use strict";
const net = require("node:net");

for (const port of process.argv.slice(2).map(Number)) {
    net.createServer((socket) => {
        socket.on("error", () => undefined);
        socket.end("SSH-2.0-sandbox\r\n");
    }).listen({ port, host: "::", ipv6Only: false });
}
process.on("SIGTERM", () => process.exit(0));
