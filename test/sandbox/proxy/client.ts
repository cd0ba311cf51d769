// A visitor: HTTP(S) and websocket requests to the proxy under a real hostname, from a chosen
// visitor address, trusting the test CA. Every connection goes through the sandbox's relay for
// that address and port (./proxySandbox.ts), so the tests never need a route to the sandbox.
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as tls from "node:tls";
import WebSocket from "ws";

/** Where a visitor's connections enter the sandbox: a Unix socket per visitor address and port. */
export interface Entrance {
    socketPath(from: string, port: number): string;
}

export interface Response {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: string;
}

export interface Visit {
    readonly via: Entrance;
    /** The visitor's address. */
    readonly from: string;
    readonly ca: string;
}

export interface RequestOptions extends Visit {
    readonly method?: string;
    readonly headers?: Record<string, string>;
    readonly body?: Buffer;
}

/** A connection to the proxy's port for a URL, from the visitor, with TLS (SNI, the CA) where the URL says https. */
function connect(url: URL, visit: Visit, tlsOptions: tls.ConnectionOptions = {}): net.Socket {
    const secure = url.protocol === "https:" || url.protocol === "wss:";
    const port = Number(url.port) || (secure ? 443 : 80);
    const socket = net.connect(visit.via.socketPath(visit.from, port));
    return secure ? tls.connect({ socket, servername: url.hostname, ca: visit.ca, ALPNProtocols: ["http/1.1"], ...tlsOptions }) : socket;
}

export function request(url: string, options: RequestOptions): Promise<Response> {
    const target = new URL(url);
    const client = target.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
        const req = client.request(
            target,
            { method: options.method ?? "GET", headers: options.headers, createConnection: () => connect(target, options) },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (chunk: Buffer) => chunks.push(chunk));
                res.on("end", () =>
                    resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("latin1") }),
                );
            },
        );
        req.on("error", reject);
        req.end(options.body);
    });
}

export const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** Opens a websocket through the proxy; resolves once the handshake is done. */
export function openWebSocket(url: string, options: Visit & { headers?: Record<string, string> }): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
        const socket = new WebSocket(url, { headers: options.headers, createConnection: () => connect(new URL(url), options) });
        socket.once("open", () => resolve(socket));
        socket.once("error", reject);
        socket.once("unexpected-response", (_req, res) => reject(new Error(`handshake answered ${res.statusCode}`)));
    });
}

export function echo(socket: WebSocket, message: string): Promise<string> {
    return new Promise((resolve, reject) => {
        socket.once("message", (data: Buffer) => resolve(data.toString()));
        socket.once("close", () => reject(new Error("closed")));
        socket.send(message);
    });
}

/** A TLS handshake with the given client limits; resolves with what was agreed, rejects with the error. */
export function handshake(
    hostname: string,
    options: Visit & Omit<tls.ConnectionOptions, "ca">,
): Promise<{ protocol: string | null; cipher: string; alpn: string | false | null }> {
    const { via, from, ca, ...limits } = options;
    return new Promise((resolve, reject) => {
        const socket = connect(
            new URL(`https://${hostname || "no-name.invalid"}/`),
            { via, from, ca },
            { ALPNProtocols: undefined, ...limits },
        ) as tls.TLSSocket;
        socket.once("secureConnect", () => {
            const result = { protocol: socket.getProtocol(), cipher: socket.getCipher().name, alpn: socket.alpnProtocol };
            socket.destroy();
            resolve(result);
        });
        socket.once("error", reject);
    });
}
