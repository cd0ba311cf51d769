// A mail server on "the internet" of the host sandbox, run inside its network namespace: the
// maintained smtp-server (from the npm registry) speaking real SMTP, recording every session as one
// JSON line on stdout: where it came from, whether it was encrypted when the client authenticated
// and sent, the credentials it was given, the message.
// Usage: node smtp.js ADDRESS PORT CERT KEY starttls|no-starttls
"use strict";
const { readFileSync } = require("node:fs");
const { SMTPServer } = require("smtp-server");

const [address, port, cert, key, mode] = process.argv.slice(2);
const record = (event) => process.stdout.write(`${JSON.stringify({ port: Number(port), ...event })}\n`);

const server = new SMTPServer({
    secure: false,
    cert: readFileSync(cert),
    key: readFileSync(key),
    // The server a man in the middle would be: it neither offers nor accepts STARTTLS, and would
    // take a password in clear if a client sent one.
    hideSTARTTLS: mode === "no-starttls",
    disabledCommands: mode === "no-starttls" ? ["STARTTLS"] : [],
    allowInsecureAuth: mode === "no-starttls",
    authMethods: ["PLAIN", "LOGIN"],
    onConnect(session, callback) {
        record({ event: "connect", from: session.remoteAddress });
        callback();
    },
    onAuth(auth, session, callback) {
        record({ event: "auth", secure: session.secure, username: auth.username, password: auth.password });
        callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
        const chunks = [];
        stream.on("data", (chunk) => chunks.push(chunk));
        stream.on("end", () => {
            record({
                event: "message",
                secure: session.secure,
                user: session.user,
                from: session.envelope.mailFrom.address,
                to: session.envelope.rcptTo.map((r) => r.address),
                data: Buffer.concat(chunks).toString("utf8"),
            });
            callback();
        });
    },
});
server.on("error", (error) => record({ event: "error", message: error.message }));
server.listen(Number(port), address, () => record({ event: "listening" }));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
