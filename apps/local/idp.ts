import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";

/**
 * A local OpenID provider: its own RS256 key pair (kept in the data dir, so a restart keeps the same keys), a JWKS
 * served by the control server, and ID tokens minted on request. The sessions function sees it as provider
 * `local` in OIDC_PROVIDERS and verifies its tokens exactly as it verifies Google's: issuer, audience, JWKS.
 */
export const LOCAL_PROVIDER = "local";
export const LOCAL_AUDIENCE = "rendezvous-local";
const TOKEN_LIFETIME_SECONDS = 3600;

export interface LocalIdp {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly jwks: { keys: JWK[] };
  mint(claims: { sub: string; email?: string }): Promise<string>;
}

const loadOrCreateKey = async (file: string | undefined): Promise<JWK> => {
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as JWK;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: `local-${Date.now().toString(36)}`, alg: "RS256" };
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
  const key = await importJWK(privateJwk, "RS256");
  const kid = privateJwk.kid ?? "local";
  return {
    issuer: options.baseUrl,
    jwksUrl: `${options.baseUrl}/jwks.json`,
    jwks: { keys: [{ ...publicJwk, use: "sig" }] },
    mint: async ({ sub, email }) => {
      const now = options.now().getTime();
      // Valid for an hour of whichever time the verifier uses, the runtime clock or the wall clock: issued at the
      // earlier of the two, expiring an hour after the later.
      const issued = Math.min(now, Date.now()) / 1000;
      const expires = Math.max(now, Date.now()) / 1000 + TOKEN_LIFETIME_SECONDS;
      return new SignJWT({ ...(email ? { email, email_verified: true } : {}) })
        .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
        .setIssuer(options.baseUrl)
        .setAudience(LOCAL_AUDIENCE)
        .setSubject(sub)
        .setIssuedAt(Math.floor(issued))
        .setExpirationTime(Math.floor(expires))
        .sign(key);
    },
  };
};
