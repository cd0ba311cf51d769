// TCP port probe for the host sandbox: tries every port from one source address and prints
// {"tried": n, "open": [ports]} as JSON. A port is open when the handshake completes.
// Usage: node probe.js SOURCE TARGET PORTS   (PORTS like 1-1024,2368,8080)
"use strict";
const net = require("node:net");

const [source, target, spec] = process.argv.slice(2);
const ports = spec.split(",").flatMap((part) => {
    const [from, to] = part.split("-").map(Number);
    return Array.from({ length: (to ?? from) - from + 1 }, (_, i) => from + i);
});

function probe(port) {
    return new Promise((resolve) => {
        const socket = net.connect({ host: target, port, localAddress: source, timeout: 700 });
        const done = (open) => {
            socket.destroy();
            resolve(open);
        };
        socket.once("connect", () => done(true));
        socket.once("timeout", () => done(false));
        socket.once("error", () => done(false));
    });
}

async function main() {
    const open = [];
    const queue = [...ports];
    const worker = async () => {
        while (queue.length > 0) {
            const port = queue.shift();
            if (await probe(port)) open.push(port);
        }
    };
    await Promise.all(Array.from({ length: 200 }, worker));
    console.log(JSON.stringify({ tried: ports.length, open: open.sort((a, b) => a - b) }));
}

main();
