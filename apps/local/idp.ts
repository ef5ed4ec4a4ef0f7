import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";

/**
 * A local OpenID provider: its own ES256 key pair (kept in the data dir, so a restart keeps the same keys; P-256
 * because an RSA key takes up to a second of CPU to generate on a fresh start, and the verifier allows both), a JWKS
 * served by the control server, and ID tokens minted on request. The sessions function sees it as provider
 * `local` in OIDC_PROVIDERS and verifies its tokens exactly as it verifies Google's: issuer, audience, JWKS.
 */
export const LOCAL_PROVIDER = "local";
export const LOCAL_AUDIENCE = "rendezvous-local";
const TOKEN_LIFETIME_SECONDS = 3600;

export interface LocalIdp {
  readonly issuer: string;
  /** The signing algorithm: ES256 (a key file from an older data dir may still say RS256). */
  readonly algorithm: string;
  readonly jwksUrl: string;
  readonly jwks: { keys: JWK[] };
  mint(claims: { sub: string; email?: string }): Promise<string>;
}

const loadOrCreateKey = async (file: string | undefined): Promise<JWK> => {
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as JWK;
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: `local-${Date.now().toString(36)}`, alg: "ES256" };
  if (file) writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
  return jwk;
};

export const makeLocalIdp = async (options: {
  /** Base URL the JWKS and discovery document are served under (the control server's `/_local/idp`). */
  baseUrl: string;
  keyFile?: string;
  now: () => Date;
}): Promise<LocalIdp> => {
  const privateJwk = await loadOrCreateKey(options.keyFile);
  const { d, p, q, dp, dq, qi, ...publicJwk } = privateJwk;
  const algorithm = privateJwk.alg ?? "RS256";
  const key = await importJWK(privateJwk, algorithm);
  const kid = privateJwk.kid ?? "local";
  return {
    issuer: options.baseUrl,
    algorithm,
    jwksUrl: `${options.baseUrl}/jwks.json`,
    jwks: { keys: [{ ...publicJwk, use: "sig" }] },
    mint: async ({ sub, email }) => {
      // On the runtime clock, which the sessions function verifies against: issued now, valid for an hour (an exp
      // further ahead than the verifier's maximum, or an iat in its future, would be refused).
      const issued = options.now().getTime() / 1000;
      const expires = issued + TOKEN_LIFETIME_SECONDS;
      return new SignJWT({ ...(email ? { email, email_verified: true } : {}) })
        .setProtectedHeader({ alg: algorithm, kid, typ: "JWT" })
        .setIssuer(options.baseUrl)
        .setAudience(LOCAL_AUDIENCE)
        .setSubject(sub)
        .setIssuedAt(Math.floor(issued))
        .setExpirationTime(Math.floor(expires))
        .sign(key);
    },
  };
};
