// A visitor: HTTP(S) and websocket requests to the proxy under a real hostname (resolved to the
// proxy's test address), from a chosen source address, trusting the test CA.
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as tls from "node:tls";
import WebSocket from "ws";
import { proxyAddress } from "./proxySandbox";

export const lookup: net.LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all)
        (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: proxyAddress, family: 4 }]);
    else callback(null, proxyAddress, 4);
};

export interface Response {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: string;
}

export interface RequestOptions {
    readonly from: string;
    readonly ca: string;
    readonly method?: string;
    readonly headers?: Record<string, string>;
    readonly body?: Buffer;
    readonly agent?: http.Agent;
}

export function request(url: string, options: RequestOptions): Promise<Response> {
    const client = url.startsWith("https:") ? https : http;
    return new Promise((resolve, reject) => {
        const req = client.request(
            url,
            {
                method: options.method ?? "GET",
                headers: options.headers,
                localAddress: options.from,
                lookup,
                ca: options.ca,
                agent: options.agent ?? false,
            },
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
export function openWebSocket(url: string, options: { from: string; ca: string; headers?: Record<string, string> }): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
        const socket = new WebSocket(url, { lookup, localAddress: options.from, ca: options.ca, headers: options.headers });
        socket.once("open", () => resolve(socket));
        socket.once("error", reject);
        socket.once("unexpected-response", (_req, res) => reject(new Error(`handshake answered ${res.statusCode}`)));
    });
}

export function echo(socket: WebSocket, message: string): Promise<string> {
    return new Promise((resolve, reject) => {
        socket.once("message", (data) => resolve(String(data)));
        socket.once("close", () => reject(new Error("closed")));
        socket.send(message);
    });
}

/** A TLS handshake with the given client limits; resolves with what was agreed, rejects with the error. */
export function handshake(
    hostname: string,
    options: tls.ConnectionOptions & { from: string },
): Promise<{ protocol: string | null; cipher: string; alpn: string | false | null }> {
    return new Promise((resolve, reject) => {
        const tcp = net.connect({ host: proxyAddress, port: 443, localAddress: options.from });
        const socket = tls.connect({ socket: tcp, servername: hostname, ...options }, () => {
            const result = { protocol: socket.getProtocol(), cipher: socket.getCipher().name, alpn: socket.alpnProtocol };
            socket.destroy();
            resolve(result);
        });
        socket.once("error", reject);
    });
}
