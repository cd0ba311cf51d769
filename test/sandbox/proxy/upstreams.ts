// Stand-in upstreams for the proxy tests: Ghost, Jupyter and Portainer as far as the proxy can
// tell. Each answers on a Unix socket the sandbox relays its name and port to (one connection for
// each of nginx's), records what it received, and counts its connections (to see keepalive).
import * as http from "node:http";
import { WebSocketServer } from "ws";

export interface Received {
    readonly path: string;
    readonly headers: http.IncomingHttpHeaders;
    readonly bodyBytes: number;
}

export class StandIn {
    readonly received: Received[] = [];
    connections = 0;
    private readonly server: http.Server;

    constructor(
        readonly name: string,
        /** Milliseconds each answer takes (the benchmark's Ghost takes 50). */
        private readonly delayMs = 0,
        /** A fixed body for every answer (the benchmark's page, whose size its ceiling copies); by default a report of the request. */
        private readonly page?: string,
    ) {
        this.server = http.createServer((request, response) => this.answer(request, response));
        this.server.keepAliveTimeout = 60_000;
        this.server.on("connection", () => this.connections++);
        // Jupyter's kernels and Portainer's console: a websocket echo on every path.
        const sockets = new WebSocketServer({ server: this.server });
        sockets.on("connection", (socket) => socket.on("message", (data: Buffer) => socket.send(`echo:${data.toString()}`)));
    }

    listen(socketPath: string): Promise<void> {
        return new Promise((resolve, reject) => {
            this.server.once("error", reject);
            this.server.listen(socketPath, () => resolve());
        });
    }

    count(path: string): number {
        return this.received.filter((r) => r.path === path).length;
    }

    close(): Promise<void> {
        if (!this.server.listening) return Promise.resolve();
        this.server.closeAllConnections();
        return new Promise((resolve) => this.server.close(() => resolve()));
    }

    private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
        let bodyBytes = 0;
        request.on("data", (chunk: Buffer) => (bodyBytes += chunk.length));
        request.on("end", () => {
            const path = request.url ?? "/";
            this.received.push({ path, headers: request.headers, bodyBytes });
            const headers: http.OutgoingHttpHeaders = {
                "Content-Type": "text/html; charset=utf-8",
                "X-Upstream": this.name,
                // What Ghost (Express) says about itself; the proxy hides it.
                "X-Powered-By": "Express",
                // What Ghost sends on public pages; the proxy still caches them briefly.
                "Cache-Control": "public, max-age=0",
            };
            if (this.name === "jupyter") headers["Content-Security-Policy"] = "frame-ancestors 'self'";
            if (path.startsWith("/set-cookie")) headers["Set-Cookie"] = "ghost-members-ssr=abc; Path=/; HttpOnly";
            const body =
                this.page ??
                JSON.stringify({
                    upstream: this.name,
                    path,
                    bodyBytes,
                    realIp: request.headers["x-real-ip"],
                    forwardedFor: request.headers["x-forwarded-for"],
                    forwardedProto: request.headers["x-forwarded-proto"],
                    // Padding, so the page is worth compressing, like a real one.
                    page: "<p>stand-in page</p>".repeat(100),
                });
            // With its length, as Ghost (Express) sends a page: not chunked.
            headers["Content-Length"] = Buffer.byteLength(body);
            setTimeout(() => response.writeHead(200, headers).end(body), this.delayMs);
        });
    }
}
