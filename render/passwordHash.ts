// bcrypt, from a maintained library (bcryptjs): what nginx's auth_basic (through libcrypt) and
// Portainer's --admin-password both accept.
import { hashSync } from "bcryptjs";

/** bcrypt's salt alphabet; 22 characters of it make the 128-bit salt. */
export const bcryptSaltAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const cost = 12;

/** Deterministic for a given salt, so an unchanged password re-creates nothing. */
export function bcryptHash(password: string, salt: string): string {
    if (salt.length !== 22 || [...salt].some((c) => !bcryptSaltAlphabet.includes(c))) {
        throw new Error("a bcrypt salt is 22 characters of ./A-Za-z0-9");
    }
    return hashSync(password, `$2b$${cost}$${salt}`);
}
