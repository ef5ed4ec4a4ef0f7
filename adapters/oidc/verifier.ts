import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { IdentityVerifier, type VerifiedIdentity } from "../../core/sessions/IdentityVerifier.ts";
import { DependencyUnavailable, Unauthenticated, ValidationFailed } from "../../core/shared/errors.ts";
import { textProblem } from "../../core/shared/schema.ts";

/** One OIDC provider as stack config names it (`OIDC_PROVIDERS`). */
export interface OidcProvider {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  /**
   * How far ahead of now a token's `exp` may be: providers issue ID tokens for about an hour, so one valid for
   * years is a forgery or a misissued token. @default 86_400 (24 h)
   */
  readonly maxExpiresInSeconds?: number;
}

export const DEFAULT_MAX_EXPIRES_IN_SECONDS = 24 * 3600;

export interface OidcOptions {
  /** Leeway for `exp`, `nbf` and `iat` (not in the future) against our clock. @default 30 */
  readonly clockToleranceSeconds?: number;
  /** How long fetched keys are trusted before a refetch. @default 600_000 (jose's default) */
  readonly cacheMaxAgeMs?: number;
  /** Least time between refetches triggered by an unknown `kid` (key rotation). @default 30_000 */
  readonly cooldownMs?: number;
  /** @default 3_000: well inside the function's 10 s timeout. */
  readonly timeoutMs?: number;
}

/**
 * Asymmetric algorithms only, and only these two: never `none`, never HS* (an HMAC "signed" with a public key is
 * the classic RS/HS confusion). jose refuses any other `alg` before touching a key.
 */
export const ALLOWED_ALGORITHMS = ["RS256", "ES256"] as const;
const MAX_ID_TOKEN_LENGTH = 16 * 1024;
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** A JWKS URL must be https; plain http only for a provider on this machine (tests, the local runtime). */
export const jwksUrlProblem = (value: string): string | undefined => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "expected an absolute URL";
  }
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname)) return undefined;
  return "expected an https URL (http only for localhost/127.0.0.1)";
};

/** jose failures about fetching keys (timeouts, non-200, bad JSON, network) as opposed to a bad token. */
const isKeyFetchFailure = (error: unknown): boolean => {
  if (!(error instanceof errors.JOSEError)) return true;
  return (
    error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.code === errors.JOSEError.code
  );
};

/** Why a token was refused, in words safe to return to the client (never the token or its claims). */
const reasonOf = (error: unknown): string => {
  if (error instanceof errors.JWTExpired) return "id_token expired";
  if (error instanceof errors.JWTClaimValidationFailed) return `id_token ${error.claim} claim rejected`;
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return "id_token algorithm not allowed";
  if (error instanceof errors.JWKSNoMatchingKey) return "id_token signed by an unknown key";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "id_token signature invalid";
  return "id_token malformed";
};

/**
 * What jose leaves to us, on a token whose signature and standard claims it accepted: an `iat` in the future or an
 * `exp` too far ahead (jose checks neither without `maxTokenAge`, which would also cap a token's age), and a `sub`
 * that cannot become an identity: the shared text policy (a NUL or a lone surrogate would be stored mangled, so two
 * subjects could share one user) and the 255 characters OIDC allows.
 */
const claimProblem = (payload: JWTPayload, now: Date, tolerance: number, provider: OidcProvider) => {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (typeof payload.iat === "number" && payload.iat > nowSeconds + tolerance)
    return "id_token iat claim in the future";
  const maxExpiresIn = provider.maxExpiresInSeconds ?? DEFAULT_MAX_EXPIRES_IN_SECONDS;
  if (typeof payload.exp === "number" && payload.exp > nowSeconds + maxExpiresIn + tolerance) {
    return `id_token exp claim more than ${maxExpiresIn} s ahead`;
  }
  const sub = payload.sub;
  if (typeof sub !== "string" || sub.length === 0 || sub.length > 255) return "id_token sub claim rejected";
  const problem = textProblem(sub, "line");
  return problem ? `id_token sub claim rejected: ${problem}` : undefined;
};

export const makeOidcVerifier = (
  providers: Readonly<Record<string, OidcProvider>>,
  options: OidcOptions = {},
): typeof IdentityVerifier.Service => {
  const keySets = new Map(
    Object.entries(providers).map(([name, provider]) => {
      const problem = jwksUrlProblem(provider.jwksUrl);
      if (problem) throw new Error(`OIDC provider ${name}: jwksUrl: ${problem}`);
      // One remote set per provider for the life of the function: keys are cached across invocations, and an
      // unknown `kid` triggers a refetch (at most once per cooldown), which is how rotation is picked up.
      const keys = createRemoteJWKSet(new URL(provider.jwksUrl), {
        cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
        cooldownDuration: options.cooldownMs ?? 30_000,
        timeoutDuration: options.timeoutMs ?? 3_000,
      });
      return [name, { provider, keys }] as const;
    }),
  );
  const configured = [...keySets.keys()].join(", ") || "none";
  const tolerance = options.clockToleranceSeconds ?? 30;

  return {
    verify: ({ provider: name, idToken, now }) => {
      const entry = Object.hasOwn(providers, name) ? keySets.get(name) : undefined;
      if (!entry) return Effect.fail(ValidationFailed.of("provider", `unknown provider; configured: ${configured}`));
      if (idToken.length > MAX_ID_TOKEN_LENGTH) {
        return Effect.fail(ValidationFailed.of("id_token", `longer than ${MAX_ID_TOKEN_LENGTH} characters`));
      }
      return Effect.tryPromise({
        try: () =>
          jwtVerify(idToken, entry.keys, {
            issuer: entry.provider.issuer,
            audience: entry.provider.audience,
            algorithms: [...ALLOWED_ALGORITHMS],
            clockTolerance: tolerance,
            currentDate: now,
            requiredClaims: ["sub", "exp", "iat"],
          }),
        catch: (error) =>
          isKeyFetchFailure(error)
            ? new DependencyUnavailable({ dependency: `identity provider ${name}`, cause: error })
            : new Unauthenticated({ reason: `not created: ${reasonOf(error)}` }),
      }).pipe(
        Effect.flatMap(({ payload }) => {
          const { sub } = payload;
          const refused = claimProblem(payload, now, tolerance, entry.provider);
          return refused === undefined && typeof sub === "string"
            ? Effect.succeed<VerifiedIdentity>({ provider: name, subject: sub })
            : Effect.fail(new Unauthenticated({ reason: `not created: ${refused ?? "id_token sub claim rejected"}` }));
        }),
      );
    },
  };
};

export const oidcVerifier = (
  providers: Readonly<Record<string, OidcProvider>>,
  options?: OidcOptions,
): Layer.Layer<IdentityVerifier> => Layer.succeed(IdentityVerifier, makeOidcVerifier(providers, options));
