// Content hashes: a remote command runs again exactly when the text it runs (or a trigger) changes.
import { createHash } from "node:crypto";

export const sha256 = (text: string | Buffer): string => createHash("sha256").update(text).digest("hex");
