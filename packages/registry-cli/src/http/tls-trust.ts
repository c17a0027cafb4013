import { readFileSync } from "node:fs";
import { createSecureContext, rootCertificates, type SecureContext } from "node:tls";

/** TLS options for https requests: a secure context with the extra CAs, or none (Node's defaults). */
export interface TlsTrust {
  secureContext?: SecureContext;
}

let cached: TlsTrust | undefined;

/**
 * Certificate authorities for https, as the environment asks: Node itself adds `NODE_EXTRA_CA_CERTS`
 * to its bundled roots at start-up, so nothing is passed then. `SSL_CERT_FILE` (OpenSSL's variable,
 * honoured by curl, pip, uv and the app's Rust stack) is not read by Node: its certificates (a PEM
 * bundle, e.g. a corporate CA that re-signs traffic at the proxy) are added here to Node's roots and
 * to `NODE_EXTRA_CA_CERTS`'s, in one secure context made once per process (not per request). Throws
 * when a file cannot be read, naming it.
 */
export function tlsTrust(env: NodeJS.ProcessEnv = process.env): TlsTrust {
  if (cached !== undefined && env === process.env) return cached;
  const file = env["SSL_CERT_FILE"];
  let trust: TlsTrust = {};
  if (file) {
    const extra = [file, env["NODE_EXTRA_CA_CERTS"]].filter((f): f is string => Boolean(f)).map((f) => readPem(f));
    trust = { secureContext: createSecureContext({ ca: [...rootCertificates, ...extra] }) };
  }
  if (env === process.env) cached = trust;
  return trust;
}

function readPem(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`cannot read the certificate file ${file} (SSL_CERT_FILE or NODE_EXTRA_CA_CERTS): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
