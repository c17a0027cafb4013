import { registerSecret } from "@baiengine/cli-kit/system";
import { hasUserinfo } from "@baiengine/schema";

/** A credential for a private mirror, sent as the `Authorization` header; `source` names where it came from, never its value. */
export interface HttpCredential {
  /** The header's value, e.g. `Bearer <token>`. */
  authorization: string;
  /** `--auth-token`, `the BAIENGINE_AUTH_TOKEN environment variable`. */
  source: string;
}

/** The environment variable a token for private mirrors may come from. */
export const AUTH_TOKEN_ENV = "BAIENGINE_AUTH_TOKEN";

/** The credential from `--auth-token` (first) or the environment, or undefined when neither is set. */
export function credentialFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): HttpCredential | undefined {
  const token = flag || env[AUTH_TOKEN_ENV];
  if (!token) return undefined;
  // Whatever prints in this process from now on shows *** in its place.
  registerSecret(token);
  return { authorization: `Bearer ${token}`, source: flag ? "--auth-token" : `the ${AUTH_TOKEN_ENV} environment variable` };
}

/** Which credential a request to `url` carried, in words, for a 401/403 message. */
export function credentialUsed(url: string, credential: HttpCredential | undefined): string {
  const sources = [hasUserinfo(url) ? "the user:password in the URL" : null, credential?.source ?? null].filter((s): s is string => s !== null);
  return sources.length > 0 ? `sent ${sources.join(" and ")}` : "no credential was sent";
}
