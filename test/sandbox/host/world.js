// "The internet" for the host sandbox, run inside its network namespace:
// - an SMTP-like listener (Ghost's mail server) that greets with a 220 banner;
// - a DNS server answering every A query with 198.51.100.80;
// - a stand-in for DigitalOcean's metadata service, serving "user data".
// Usage: node world.js SMTP_ADDRESS SMTP_PORT DNS_ADDRESS METADATA_ADDRESS
"use strict";
const dgram = require("node:dgram");
const net = require("node:net");

const [smtpAddress, smtpPort, dnsAddress, metadataAddress] = process.argv.slice(2);

net.createServer((socket) => {
    socket.on("error", () => undefined);
    socket.end("220 smtp.example.test ESMTP sandbox\r\n");
}).listen(Number(smtpPort), smtpAddress);

net.createServer((socket) => {
    socket.on("error", () => undefined);
    socket.once("data", () => socket.end("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n#cloud-config user-data\r\n"));
}).listen(80, metadataAddress);

const dns = dgram.createSocket("udp4");
dns.on("message", (query, peer) => {
    // Header: same id, flags "response, recursion available", one question, one answer.
    const questionEnd = query.indexOf(0, 12) + 5;
    const header = Buffer.from([query[0], query[1], 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
    const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 51, 100, 80]);
    dns.send(Buffer.concat([header, query.subarray(12, questionEnd), answer]), peer.port, peer.address);
});
dns.bind(53, dnsAddress);

process.on("SIGTERM", () => process.exit(0));
console.log("world ready");
