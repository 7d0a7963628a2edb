/**
 * A fake OpenID Connect provider on 127.0.0.1 for browser tests of the admin UI's login: just what
 * oidc-client-ts uses for the authorization-code flow with PKCE (RFC 7636).
 *
 * - `/.well-known/openid-configuration`: discovery, with CORS (the browser fetches it cross-origin).
 * - `/authorize`: checks the request like Cognito does (known client, registered redirect URI,
 *   `response_type=code`, an S256 code challenge), records it, and redirects straight back with
 *   `code` and `state`. A real provider shows its login page here first; the fake signs in one
 *   fixed user without asking.
 * - `/token`: exchanges a code once, only for the same client and redirect URI and a
 *   `code_verifier` whose SHA-256 (base64url) is the recorded challenge; answers
 *   `{access_token, id_token, refresh_token, token_type, expires_in}`, access and ID token JWTs
 *   signed RS256 with a key made at start, as Cognito's are. Takes the refresh token for new
 *   access and ID tokens. CORS, since the browser calls it cross-origin.
 * - `/jwks.json`: that key as a JWK.
 * - `/logout`: the end-session endpoint (OIDC RP-Initiated Logout), back to a registered
 *   `post_logout_redirect_uri`.
 *
 * Every request is recorded so tests can assert what the browser sent.
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, type JsonWebKey } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOidcUser {
  sub: string;
  email: string;
}

export interface FakeOidcProviderOptions {
  /** Lifetime of the tokens in seconds; default 3600, as Cognito's default. */
  expiresInSeconds?: number;
  /** Answer a refresh token with the code exchange, and take `grant_type=refresh_token`; default true (as Cognito). */
  refreshTokens?: boolean;
  /** Publish `end_session_endpoint` in the discovery document; default true (Cognito does not). */
  endSession?: boolean;
  user?: FakeOidcUser;
}

export interface IssuedTokens {
  clientId: string;
  accessToken: string;
  idToken: string;
  refreshToken?: string;
}

export interface TokenRequest {
  params: URLSearchParams;
  /** 'issued', or the OAuth error code that was answered. */
  outcome: string;
}

export interface FakeOidcProvider {
  /** Issuer and base URL, without a trailing slash. */
  readonly url: string;
  readonly user: FakeOidcUser;
  /** The signing key as published at jwks_uri. */
  readonly jwk: JsonWebKey;
  /** Query of every /authorize request, valid or not. */
  readonly authorizeRequests: URLSearchParams[];
  readonly tokenRequests: TokenRequest[];
  readonly issued: IssuedTokens[];
  /** Query of every end-session request. */
  readonly endSessionRequests: URLSearchParams[];
  /** Registers a public client (no secret) with its allowed redirect (and sign-out) URIs. */
  registerClient(clientId: string, redirectUris: readonly string[]): void;
  close(): Promise<void>;
}

interface RefreshSession {
  clientId: string;
  scope: string;
  authTime: number;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  nonce: string | null;
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type, accept',
  'access-control-max-age': '600',
} as const;

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** RFC 7636 §4.1: 43–128 characters of [A-Z a-z 0-9 - . _ ~]. */
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

export async function startFakeOidcProvider(options: FakeOidcProviderOptions = {}): Promise<FakeOidcProvider> {
  const expiresIn = options.expiresInSeconds ?? 3600;
  const user = options.user ?? { sub: '3f6c2a9e-5b1d-4c8e-9a7f-0d2e4b6c8a10', email: 'admin@example.com' };
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk: JsonWebKey = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };

  const clients = new Map<string, readonly string[]>();
  const refreshTokens = options.refreshTokens ?? true;
  const codes = new Map<string, PendingCode>();
  const refreshSessions = new Map<string, RefreshSession>();
  const authorizeRequests: URLSearchParams[] = [];
  const tokenRequests: TokenRequest[] = [];
  const issued: IssuedTokens[] = [];
  const endSessionRequests: URLSearchParams[] = [];
  let issuer = '';

  const signJwt = (claims: Record<string, unknown>): string => {
    const signingInput = `${base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }))}.${base64url(JSON.stringify(claims))}`;
    return `${signingInput}.${base64url(sign('sha256', Buffer.from(signingInput), privateKey))}`;
  };

  const discovery = (): Record<string, unknown> => ({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks.json`,
    ...(options.endSession === false ? {} : { end_session_endpoint: `${issuer}/logout` }),
    response_types_supported: ['code'],
    grant_types_supported: options.refreshTokens === false ? ['authorization_code'] : ['authorization_code', 'refresh_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: ['openid', 'email', 'profile'],
    token_endpoint_auth_methods_supported: ['none'],
  });

  const authorize = (res: ServerResponse, query: URLSearchParams): void => {
    authorizeRequests.push(query);
    const clientId = query.get('client_id') ?? '';
    const redirectUri = query.get('redirect_uri') ?? '';
    // An unknown client or redirect URI is never redirected to: the provider shows an error page.
    if (!clients.get(clientId)?.includes(redirectUri)) return sendText(res, 400, 'Unknown client or unregistered redirect_uri');
    const back = new URL(redirectUri);
    const state = query.get('state');
    if (state !== null) back.searchParams.set('state', state);
    const fail = (error: string): void => {
      back.searchParams.set('error', error);
      res.writeHead(302, { location: back.href }).end();
    };
    if (query.get('response_type') !== 'code') return fail('unsupported_response_type');
    const codeChallenge = query.get('code_challenge') ?? '';
    if (query.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) return fail('invalid_request');
    // A real provider would show its login page here; this one signs the fixed user in at once.
    const code = base64url(randomBytes(24));
    codes.set(code, { clientId, redirectUri, codeChallenge, scope: query.get('scope') ?? 'openid', nonce: query.get('nonce') });
    back.searchParams.set('code', code);
    res.writeHead(302, { location: back.href }).end();
  };

  const issue = (session: RefreshSession, nonce: string | null, withRefreshToken: boolean): Record<string, unknown> => {
    const now = Math.floor(Date.now() / 1000);
    // auth_time stays that of the sign-in across refreshes: oidc-client-ts rejects a renewed ID token whose auth_time differs.
    const common = { iss: issuer, sub: user.sub, iat: now, auth_time: session.authTime, exp: now + expiresIn };
    // Shaped like Cognito's: the access token names the client in `client_id`, the ID token in `aud`.
    const accessToken = signJwt({ ...common, jti: randomUUID(), token_use: 'access', client_id: session.clientId, scope: session.scope });
    const idToken = signJwt({
      ...common,
      jti: randomUUID(),
      token_use: 'id',
      aud: session.clientId,
      email: user.email,
      email_verified: true,
      ...(nonce === null ? {} : { nonce }),
    });
    // Like Cognito, a refresh answers new access and ID tokens but no new refresh token.
    const refreshToken = withRefreshToken ? base64url(randomBytes(32)) : undefined;
    if (refreshToken) refreshSessions.set(refreshToken, session);
    issued.push({ clientId: session.clientId, accessToken, idToken, ...(refreshToken ? { refreshToken } : {}) });
    return {
      access_token: accessToken,
      id_token: idToken,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      token_type: 'Bearer',
      expires_in: expiresIn,
    };
  };

  const token = (res: ServerResponse, params: URLSearchParams): void => {
    const refuse = (error: string, description: string): void => {
      tokenRequests.push({ params, outcome: error });
      sendJson(res, 400, { error, error_description: description }, CORS_HEADERS);
    };
    const answer = (body: Record<string, unknown>): void => {
      tokenRequests.push({ params, outcome: 'issued' });
      sendJson(res, 200, body, CORS_HEADERS);
    };
    const grant = params.get('grant_type');
    if (grant === 'refresh_token' && refreshTokens) {
      const session = refreshSessions.get(params.get('refresh_token') ?? '');
      if (!session) return refuse('invalid_grant', 'Unknown refresh token.');
      if (params.get('client_id') !== session.clientId) return refuse('invalid_client', 'The refresh token was issued to another client.');
      return answer(issue(session, null, false));
    }
    if (grant !== 'authorization_code') return refuse('unsupported_grant_type', 'Unsupported grant_type.');
    const code = params.get('code') ?? '';
    const pending = codes.get(code);
    codes.delete(code); // single use, even when the exchange fails
    if (!pending) return refuse('invalid_grant', 'Unknown or used code.');
    if (params.get('client_id') !== pending.clientId) return refuse('invalid_client', 'The code was issued to another client.');
    if (params.get('redirect_uri') !== pending.redirectUri)
      return refuse('invalid_grant', 'redirect_uri differs from the authorization request.');
    const verifier = params.get('code_verifier') ?? '';
    if (!CODE_VERIFIER.test(verifier) || base64url(createHash('sha256').update(verifier, 'ascii').digest()) !== pending.codeChallenge) {
      return refuse('invalid_grant', 'PKCE verification failed.');
    }
    const session = { clientId: pending.clientId, scope: pending.scope, authTime: Math.floor(Date.now() / 1000) };
    answer(issue(session, pending.nonce, refreshTokens));
  };

  const endSession = (res: ServerResponse, query: URLSearchParams): void => {
    endSessionRequests.push(query);
    const target = query.get('post_logout_redirect_uri');
    if (target === null) return sendText(res, 200, 'Signed out');
    // Redirect only to a sign-out URI registered for the client the request names, by client_id or
    // by the ID token (issued here) it passes as hint (OIDC RP-Initiated Logout 1.0, §2 and §3).
    const hint = query.get('id_token_hint');
    const clientId = query.get('client_id') ?? issued.find((tokens) => tokens.idToken === hint)?.clientId;
    if (!clients.get(clientId ?? '')?.includes(target))
      return sendText(res, 400, 'Unknown client or unregistered post_logout_redirect_uri');
    const back = new URL(target);
    const state = query.get('state');
    if (state !== null) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.href }).end();
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://provider');
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    const handle = async (): Promise<void> => {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, CORS_HEADERS).end();
        return;
      }
      switch (route) {
        case 'GET /.well-known/openid-configuration':
          return sendJson(res, 200, discovery(), CORS_HEADERS);
        case 'GET /jwks.json':
          return sendJson(res, 200, { keys: [jwk] }, CORS_HEADERS);
        case 'GET /authorize':
          return authorize(res, url.searchParams);
        case 'POST /token':
          return token(res, new URLSearchParams(await readBody(req)));
        case 'GET /logout':
          return endSession(res, url.searchParams);
        default:
          return sendText(res, 404, 'Not found');
      }
    };
    handle().catch((error: unknown) => {
      if (!res.headersSent) sendText(res, 500, error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: issuer,
    user,
    jwk,
    authorizeRequests,
    tokenRequests,
    issued,
    endSessionRequests,
    registerClient(clientId, redirectUris) {
      clients.set(clientId, [...redirectUris]);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
