import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";

/**
 * An identity provider on 127.0.0.1 for tests and benchmarks: real keys generated with jose, a JWKS served over
 * http, and `sign` for ID tokens. `rotate` replaces the signing key (the old one leaves the JWKS).
 */
export interface LocalIdentityProvider {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  /** How many times the JWKS was fetched. */
  readonly fetches: () => number;
  sign(claims: JWTPayload & { sub?: string }, options?: SignOptions): Promise<string>;
  rotate(): Promise<void>;
  /** Makes the JWKS endpoint answer 500 (true) or work again (false). */
  fail(failing: boolean): void;
  stop(): Promise<void>;
}

export interface SignOptions {
  readonly alg?: "RS256" | "ES256";
  /** Seconds since epoch; defaults to now. */
  readonly iat?: number;
  /** Lifetime in seconds from `iat`. @default 600 */
  readonly ttl?: number;
  readonly issuer?: string;
  readonly audience?: string;
}

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
type Key = { kid: string; alg: "RS256" | "ES256"; privateKey: PrivateKey; jwk: Record<string, unknown> };

let generation = 0;
const makeKey = async (alg: "RS256" | "ES256"): Promise<Key> => {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `${alg.toLowerCase()}-${++generation}`;
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
};

export const startLocalIdentityProvider = async (
  options: { audience?: string } = {},
): Promise<LocalIdentityProvider> => {
  let keys = [await makeKey("RS256"), await makeKey("ES256")];
  let fetches = 0;
  let failing = false;
  const server = createServer((_request, response) => {
    fetches += 1;
    if (failing) {
      response.writeHead(500).end();
      return;
    }
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const audience = options.audience ?? "rendezvous-test";
  return {
    issuer,
    audience,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    fetches: () => fetches,
    sign: async (claims, signOptions = {}) => {
      const alg = signOptions.alg ?? "RS256";
      const key = keys.find((k) => k.alg === alg) as Key;
      const iat = signOptions.iat ?? Math.floor(Date.now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg, kid: key.kid, typ: "JWT" })
        .setIssuer(signOptions.issuer ?? issuer)
        .setAudience(signOptions.audience ?? audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + (signOptions.ttl ?? 600))
        .sign(key.privateKey);
    },
    rotate: async () => {
      keys = [await makeKey("RS256"), await makeKey("ES256")];
    },
    fail: (next) => {
      failing = next;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
