/**
 * Credentials in URLs, hidden for printing, logging and storing: the userinfo of a URL
 * (`https://user:token@mirror/...`) and the values of query parameters that carry one (presigned
 * object-store URLs: `X-Amz-Signature`, `sig`, `token`, ...). Everything else of the URL stays, so a
 * message still says which host and file it was about.
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;
const SECRET_PARAMS = /([?&](?:access_token|token|auth|password|passwd|secret|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|se|skoid|sktid)=)[^&#\s"'<>]+/gi;

export const REDACTED = "***";

/** `text` with every URL's userinfo and credential query values replaced by `***`, and every `secrets` value too. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(USERINFO, `$1${REDACTED}@`).replace(SECRET_PARAMS, `$1${REDACTED}`);
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  return out;
}

/** Whether `url` carries a userinfo part (a credential for the host). */
export function hasUserinfo(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== "" || u.password !== "";
  } catch {
    return false;
  }
}
