// Which of Ghost's answers are public pages a shared cache may keep: the one list the proxy's page
// cache (render/nginx.ts) and Cloudflare's cache rules (render/edgeCache.ts) are both rendered from.

/**
 * Paths that are never public, by prefix. Matched without regard to case: Ghost's router (Express)
 * serves /GHOST/api/… as /ghost/api/…, so a cache must not tell them apart either.
 */
export const ghostPrivatePathPrefixes = [
    // The admin, the Admin API and the Content API.
    "/ghost/",
    // Members' sign-in links and the Members API.
    "/members/",
    // Previews of drafts.
    "/p/",
    // Newsletter link redirects: each visit is counted for the member it names.
    "/r/",
    // ActivityPub (Ghost 6's social web).
    "/.ghost/",
] as const;

/** Cookies of a signed-in staff user or member: their pages are theirs alone. */
export const ghostSessionCookies = ["ghost-admin-api-session", "ghost-members-ssr"] as const;

/** The only methods a cache answers; every other one reaches Ghost. */
export const cacheableMethods = ["GET", "HEAD"] as const;
