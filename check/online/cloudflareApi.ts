// The Cloudflare API client both token checks use: one call with the token, Cloudflare's own
// errors on one line, and whether the token was refused.

export interface CloudflareAnswer {
    readonly status: number;
    readonly ok: boolean;
    readonly result: unknown;
    /** Cloudflare's own error list, as `code: message`; or the HTTP status if it gave none. */
    readonly errors: string;
}

export class CloudflareApi {
    constructor(
        readonly base: string,
        private readonly token: string,
        private readonly timeoutMs: number,
    ) {}

    /** One call; throws only when Cloudflare cannot be reached. */
    async call(method: string, path: string, body?: unknown): Promise<CloudflareAnswer> {
        const response = await fetch(`${this.base}${path}`, {
            method,
            headers: { Authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(this.timeoutMs),
        });
        const json = (await response.json().catch(() => ({}))) as {
            success?: boolean;
            result?: unknown;
            errors?: { code?: number; message?: string }[];
        };
        const errors = (json.errors ?? []).map((e) => `${e.code ?? "?"}: ${e.message ?? ""}`).join("; ");
        return {
            status: response.status,
            ok: response.ok && json.success !== false,
            result: json.result,
            errors: errors || `HTTP ${response.status}`,
        };
    }
}

export const refused = (answer: CloudflareAnswer) => answer.status === 401 || answer.status === 403;
