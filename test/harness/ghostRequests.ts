// One table of requests to the blog, and whether a shared cache may answer them: the Cloudflare
// rule's clauses are read against it (test/unit/edgeCache.test.ts) and the real nginx's page cache
// is run against it (test/sandbox/proxy.test.ts), so the edge and the origin agree on every row.

export interface GhostRequest {
    readonly method: string;
    /** Path and query, as sent. */
    readonly path: string;
    readonly cookie?: string;
    readonly cached: boolean;
    /** Why, for the test's name. */
    readonly what: string;
}

export const ghostRequests: readonly GhostRequest[] = [
    { method: "GET", path: "/", cached: true, what: "the home page" },
    { method: "GET", path: "/2026/11/hello-world/", cached: true, what: "a post" },
    { method: "HEAD", path: "/tag/news/", cached: true, what: "a tag page, by HEAD" },
    { method: "GET", path: "/rss/", cached: true, what: "the feed" },
    { method: "GET", path: "/?ref=newsletter", cached: true, what: "a page with a query string" },
    { method: "GET", path: "/about/", cookie: "theme=dark; _ga=GA1.1.1", cached: true, what: "a visitor with cookies that are no session" },
    { method: "GET", path: "/ghosts-of-the-past/", cached: true, what: "a post whose slug starts like the admin" },
    { method: "GET", path: "/people/members-only-tour/", cached: true, what: "a post whose slug mentions members" },
    { method: "POST", path: "/", cached: false, what: "a POST" },
    { method: "PUT", path: "/about/", cached: false, what: "a PUT" },
    { method: "DELETE", path: "/about/", cached: false, what: "a DELETE" },
    { method: "GET", path: "/ghost/", cached: false, what: "the admin" },
    { method: "GET", path: "/ghost/api/admin/users/", cached: false, what: "the Admin API" },
    { method: "GET", path: "/GHOST/api/admin/users/", cached: false, what: "the Admin API in capitals (Ghost's router ignores case)" },
    { method: "GET", path: "/ghost/api/content/posts/?key=22444f78447824223cefc48062", cached: false, what: "the Content API" },
    { method: "GET", path: "/members/api/member/", cached: false, what: "the Members API" },
    { method: "GET", path: "/members/?token=abc&action=signup", cached: false, what: "a member's sign-in link" },
    { method: "GET", path: "/p/4f1a2b3c-5d6e-4f70-8a9b-0c1d2e3f4a5b/", cached: false, what: "a draft's preview" },
    { method: "GET", path: "/r/8ac1e6f2?m=5c7d2c6e-member", cached: false, what: "a newsletter link redirect" },
    { method: "GET", path: "/.ghost/activitypub/inbox/index", cached: false, what: "ActivityPub" },
    {
        method: "GET",
        path: "/about/",
        cookie: "ghost-members-ssr=abc; ghost-members-ssr.sig=def",
        cached: false,
        what: "a signed-in member",
    },
    { method: "GET", path: "/about/", cookie: "theme=dark; ghost-admin-api-session=abc", cached: false, what: "a signed-in staff user" },
];
