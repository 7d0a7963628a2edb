/**
 * The admin check. API Gateway's JWT authorizer proves the token is valid for the audience, not
 * that its holder is an administrator: with an external issuer every user of the audience would
 * be one. So every route (except the public API document) also requires, from the claims the
 * authorizer passes on, the admin group in `cognito:groups` and/or the admin scope in `scope`.
 *
 * - `ADMIN_GROUP` and/or `ADMIN_SCOPE` set: a request must carry claims holding each one that is
 *   set (both when both are: Cognito grants a client's scopes to every user of the pool, so with
 *   Cognito the scope alone admits everyone and the group is what names the admins); a request
 *   without claims is refused too (fail closed).
 * - Neither set and no claims (api_auth "none", the local stack): no check.
 * - Neither set but claims present (JWT mode with an older configuration): the group `admins`.
 *
 * How the claims arrive (the token's arrays are flattened to strings by API Gateway):
 * - HTTP API: `requestContext.authorizer.jwt.claims`, an array claim as `"[admins editors]"`
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html;
 *   the bracketed form as observed in
 *   https://github.com/aws-solutions-library-samples/guidance-for-claude-code-with-amazon-bedrock/pull/803);
 * - REST API with a Cognito authorizer: `requestContext.authorizer.claims`, groups comma-separated
 *   (https://github.com/aws/chalice/issues/783);
 * - `scope` is space-separated (RFC 6749 §3.3); HTTP API also lists matched scopes in `jwt.scopes`.
 */
import type { AuthorizerClaims } from './converters';
import { HttpError } from './errors';

export const DEFAULT_ADMIN_GROUP = 'admins';

export interface AdminRequirement {
  /** Group name in `cognito:groups`; empty or undefined for none. */
  group?: string | undefined;
  /** OAuth scope, e.g. `restreaming/admin`; empty or undefined for none. */
  scope?: string | undefined;
}

/** A claim that may be an array, a JSON array, `[a b]`, `a,b` or `a b`, as a list. */
export function claimValues(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((v): v is string => typeof v === 'string');
  if (typeof claim !== 'string') return [];
  const text = claim.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return claimValues(parsed);
    } catch {
      // API Gateway's own form: "[a b]".
    }
    return text
      .slice(1, -1)
      .split(/[\s,]+/)
      .filter(Boolean);
  }
  return text.split(/[\s,]+/).filter(Boolean);
}

/** Throws 403 FORBIDDEN unless the claims hold every configured requirement. */
export function assertAdmin(auth: AuthorizerClaims | undefined, requirement: AdminRequirement): void {
  const group = requirement.group?.trim() || undefined;
  const scope = requirement.scope?.trim() || undefined;
  if (group === undefined && scope === undefined) {
    if (auth === undefined) return;
    return assertAdmin(auth, { group: DEFAULT_ADMIN_GROUP });
  }
  const wanted = [group && `the group "${group}" (cognito:groups)`, scope && `the scope "${scope}"`].filter(Boolean).join(' and ');
  if (auth === undefined) {
    throw new HttpError('FORBIDDEN', `This API requires a signed-in administrator: send a bearer token that carries ${wanted}.`);
  }
  const missing: string[] = [];
  if (group !== undefined && !claimValues(auth.claims['cognito:groups']).includes(group)) {
    missing.push(`is not in the group "${group}" (ask an administrator to add you to it, then sign in again)`);
  }
  if (scope !== undefined) {
    const scopes = new Set([...claimValues(auth.claims['scope']), ...claimValues(auth.claims['scp']), ...auth.scopes]);
    if (!scopes.has(scope)) missing.push(`lacks the scope "${scope}" (sign in through a client that requests it)`);
  }
  if (missing.length > 0) {
    throw new HttpError('FORBIDDEN', `Signed in, but not as an administrator: the token ${missing.join(' and ')}.`);
  }
}
