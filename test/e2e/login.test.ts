/**
 * End to end: the admin UI's login in the system's Chromium (launchChromium: Debian's package, or
 * CHROMIUM_PATH). The UI is built fresh and served with a config that asks for a login against
 * a fake OIDC provider (test/support/fake-oidc-provider.ts) on another origin, under the same
 * Content-Security-Policy as CloudFront serves it (connect-src 'self' plus the provider), next to
 * a fake API that answers like API Gateway's JWT authorizer: 401 without a valid bearer token.
 *
 * oidc-client-ts only decodes the ID token (it checks `sub`, and `nonce` when it sent one); it does
 * not verify the signature. The API's JWT authorizer does, so the fake provider signs real RS256
 * JWTs and publishes the key at jwks_uri, and the test checks them against it.
 *
 * Every wait is for a state, never a fixed time.
 */
import { createPublicKey, verify } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { contentType } from 'mime-types';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/lib/chromium';
import { CONTENT_SECURITY_POLICY } from '../../scripts/local/static-site';
import { startFakeOidcProvider, type FakeOidcProvider } from '../support/fake-oidc-provider';
import { SLOW_POLL_MS } from '../../frontend/src/activity';
import { waitFor } from '../support/wait';
import { recordPageErrors } from '../support/browser';
import { buildAdminUi } from '../support/local-stack-harness';

const CLIENT_ID = 'test-client';
/** The site under /cognito/ is configured like a Cognito deployment: sign-out at the hosted UI's /logout. */
const COGNITO_DOMAIN = 'login.example.test';
/**
 * What infra/ tells a Cognito deployment's UI to request (output cognito_scopes): the API's JWT
 * authorizer requires the resource server scope, which only access tokens carry.
 */
const ADMIN_SCOPE = 'ivs-restreaming-api/admin';
const COGNITO_SCOPES = `openid email profile ${ADMIN_SCOPE}`;
/**
 * Lifetime of the tokens of the provider behind /renew/: oidc-client-ts renews 60 s before expiry,
 * so 62 s means a renewal about 2 s after sign-in.
 */
const SHORT_LIVED_SECONDS = 62;
const CHANNEL_ARN = 'arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEfGhIjKl';
const API_PATHS = ['/stream-destinations', '/stream-status'];

interface ApiCall {
  path: string;
  authorization: string | null;
  status: number;
}

function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header = '', claims = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
    claims: JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')),
  };
}

describe('admin UI login with OIDC (authorization code + PKCE)', () => {
  let work: string;
  let dist: string;
  let provider: FakeOidcProvider;
  let shortLived: FakeOidcProvider;
  let site: Server;
  let siteUrl: string;
  let browser: Browser;
  let page: Page;
  const apiCalls: ApiCall[] = [];
  const rejectedTokens = new Set<string>();
  const pageErrors: string[] = [];

  const bearer = (token: string): string => `Bearer ${token}`;
  const oidcUserKeys = (target: Page): Promise<string[]> =>
    target.evaluate(() => Object.keys(window.sessionStorage).filter((key) => key.startsWith('oidc.user:')));

  async function openPage(): Promise<Page> {
    const opened = await browser.newPage({ reducedMotion: 'reduce' });
    opened.setDefaultTimeout(10_000);
    recordPageErrors(opened, pageErrors);
    return opened;
  }

  /** Like API Gateway's JWT authorizer in front of the API: a token the provider issued, or 401. */
  function answerApi(req: IncomingMessage, res: ServerResponse, path: string): void {
    const authorization = req.headers.authorization ?? null;
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    const valid =
      token !== undefined &&
      [provider, shortLived].some((p) => p.issued.some((t) => t.accessToken === token)) &&
      !rejectedTokens.has(token);
    const status = !valid ? 401 : req.method === 'GET' ? 200 : 405;
    apiCalls.push({ path, authorization, status });
    const body =
      status === 401
        ? { message: 'Unauthorized' }
        : status === 405
          ? { error: { code: 'METHOD_NOT_ALLOWED', message: 'Only GET here.' } }
          : path === '/stream-destinations'
            ? { destinations: [] }
            : { channels: [{ channelArn: CHANNEL_ARN, state: 'OFFLINE', streamId: null, since: null }] };
    res.writeHead(status, { 'content-type': 'application/json', ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}) });
    res.end(JSON.stringify(body));
  }

  /**
   * The built UI at `/` (a generic OIDC provider with an end-session endpoint), at `/cognito/` (sign-out
   * at a Cognito hosted-UI domain) and at `/renew/` (a provider with short-lived tokens).
   */
  async function serveSite(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = new URL(req.url ?? '/', siteUrl);
    if (API_PATHS.includes(pathname)) return answerApi(req, res, pathname);
    const mount = ['/cognito/', '/renew/'].find((prefix) => pathname.startsWith(prefix)) ?? '/';
    const issuer = mount === '/renew/' ? shortLived : provider;
    const file = pathname.slice(mount.length) || 'index.html';
    if (file === 'config.json') {
      const auth = {
        issuer: issuer.url,
        clientId: CLIENT_ID,
        ...(mount === '/cognito/' ? { domain: COGNITO_DOMAIN, scopes: COGNITO_SCOPES } : {}),
      };
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
      res.end(JSON.stringify({ apiUrl: '', auth, localMode: false }));
      return;
    }
    const target = resolve(dist, file);
    const body = target.startsWith(`${dist}${sep}`) ? await readFile(target).catch(() => undefined) : undefined;
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    // CloudFront's policy (modules/admin-site) with the identity provider in connect-src, as infra/ adds Cognito's.
    const csp = CONTENT_SECURITY_POLICY.replace("connect-src 'self'", `connect-src 'self' ${issuer.url}`);
    res.writeHead(200, { 'content-type': contentType(extname(target)) || 'application/octet-stream', 'content-security-policy': csp });
    res.end(body);
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'login-e2e-'));
    dist = join(work, 'dist');
    await buildAdminUi(dist);
    provider = await startFakeOidcProvider();
    shortLived = await startFakeOidcProvider({ expiresInSeconds: SHORT_LIVED_SECONDS });
    site = createServer((req, res) => {
      serveSite(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
    });
    await new Promise<void>((done) => site.listen(0, '127.0.0.1', done));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    // Registered as callback and sign-out URLs, as infra/cognito.tf registers the site's URL.
    provider.registerClient(CLIENT_ID, [`${siteUrl}/`, `${siteUrl}/cognito/`]);
    shortLived.registerClient(CLIENT_ID, [`${siteUrl}/renew/`]);
    browser = await launchChromium();
    page = await openPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => (site ? site.close(done) : done(undefined)));
    await provider?.close();
    await shortLived?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('signs in at the provider with PKCE S256 and sends the access token on every API call', async () => {
    await page.goto(`${siteUrl}/`);
    await page.getByTestId('sign-in').waitFor();
    expect(provider.authorizeRequests).toHaveLength(0);
    expect(apiCalls).toEqual([]);

    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('empty-state').waitFor();

    expect(provider.authorizeRequests).toHaveLength(1);
    const authorize = Object.fromEntries(provider.authorizeRequests[0]!);
    expect(authorize).toMatchObject({
      client_id: CLIENT_ID,
      redirect_uri: `${siteUrl}/`,
      response_type: 'code',
      code_challenge_method: 'S256',
      scope: 'openid email profile',
    });
    expect(authorize['code_challenge']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize['state']).toEqual(expect.any(String));
    // The provider exchanged the code only for the verifier matching the challenge.
    expect(provider.tokenRequests.map((r) => r.outcome)).toEqual(['issued']);
    expect(provider.tokenRequests[0]!.params.get('client_id')).toBe(CLIENT_ID);
    const { accessToken, idToken } = provider.issued[0]!;

    // The callback's ?code=…&state=… is gone from the address bar and the history entry.
    expect(page.url()).toBe(`${siteUrl}/`);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await page.locator('.account-name').textContent()).toBe(provider.user.email);

    await waitFor(() => API_PATHS.every((path) => apiCalls.some((call) => call.path === path)), { what: 'both API calls' });
    expect(apiCalls.map((call) => call.authorization)).toEqual(apiCalls.map(() => bearer(accessToken)));
    expect(apiCalls.map((call) => call.status)).toEqual(apiCalls.map(() => 200));

    // What the API's JWT authorizer checks: RS256 signatures by the key published at jwks_uri.
    const discovery = (await (await fetch(`${provider.url}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
    const { keys } = (await (await fetch(discovery.jwks_uri)).json()) as { keys: Record<string, string>[] };
    for (const token of [accessToken, idToken]) {
      const [header, claims, signature] = token.split('.') as [string, string, string];
      const key = keys.find((k) => k['kid'] === decodeJwt(token).header['kid']);
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256' });
      const publicKey = createPublicKey({ key: key!, format: 'jwk' });
      expect(verify('sha256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
      expect(decodeJwt(token).claims).toMatchObject({ iss: provider.url, sub: provider.user.sub });
    }
    expect(decodeJwt(idToken).claims).toMatchObject({ aud: CLIENT_ID, email: provider.user.email });
    expect(pageErrors).toEqual([]);
  });

  it('keeps the session across a reload without going back to the provider', async () => {
    const { accessToken } = provider.issued[0]!;
    const before = apiCalls.length;
    await page.reload();
    await page.getByTestId('empty-state').waitFor();
    await waitFor(() => API_PATHS.every((path) => apiCalls.slice(before).some((call) => call.path === path)), {
      what: 'both API calls after the reload',
    });

    expect(provider.authorizeRequests).toHaveLength(1);
    expect(provider.tokenRequests).toHaveLength(1);
    const afterReload = apiCalls.slice(before);
    expect(afterReload.map((call) => call.authorization)).toEqual(afterReload.map(() => bearer(accessToken)));
    expect(afterReload.map((call) => call.status)).toEqual(afterReload.map(() => 200));
    expect(pageErrors).toEqual([]);
  });

  it('signs out: forgets the session and ends it at the provider', async () => {
    expect(await oidcUserKeys(page)).toHaveLength(1);
    const backAtSite = page.waitForResponse((response) => response.request().isNavigationRequest() && response.url() === `${siteUrl}/`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await backAtSite;
    await page.getByTestId('sign-in').waitFor();

    expect(provider.endSessionRequests).toHaveLength(1);
    const endSession = provider.endSessionRequests[0]!;
    expect(endSession.get('post_logout_redirect_uri')).toBe(`${siteUrl}/`);
    // The ID token goes along as id_token_hint (Okta requires it; Keycloak asks again without it).
    const hint = endSession.get('id_token_hint');
    expect(hint).not.toBeNull();
    expect(decodeJwt(hint as string).claims['aud']).toBe(CLIENT_ID);
    expect(page.url()).toBe(`${siteUrl}/`);
    expect(await oidcUserKeys(page)).toEqual([]);

    // Signed out stays signed out: a reload shows the sign-in screen, without a trip to the provider.
    await page.reload();
    await page.getByTestId('sign-in').waitFor();
    expect(provider.authorizeRequests).toHaveLength(1);
    expect(pageErrors).toEqual([]);
  });

  it(
    'returns to the sign-in screen when the API rejects the access token',
    async () => {
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('empty-state').waitFor();
      expect(provider.authorizeRequests).toHaveLength(2);
      const { accessToken } = provider.issued.at(-1)!;
      expect(accessToken).not.toBe(provider.issued[0]!.accessToken);

      // E.g. the user was disabled or the token revoked: the next refresh gets a 401.
      rejectedTokens.add(accessToken);
      // Nothing is changing, so the next poll comes after the quiet interval.
      await page.getByTestId('sign-in').waitFor({ timeout: SLOW_POLL_MS + 10_000 });

      expect(apiCalls.filter((call) => call.status === 401).map((call) => call.authorization)).toContain(bearer(accessToken));
      expect(await oidcUserKeys(page)).toEqual([]);
      // The user decides when to sign in again: no redirect to the provider on its own.
      expect(provider.authorizeRequests).toHaveLength(2);
      expect(pageErrors.filter((error) => !error.includes('401 (Unauthorized)'))).toEqual([]);
    },
    SLOW_POLL_MS + 30_000,
  );

  it(
    'renews the access token with the refresh token before it expires, without a trip to the login page',
    async () => {
      const renewPage = await openPage();
      try {
        await renewPage.goto(`${siteUrl}/renew/`);
        await renewPage.getByRole('button', { name: 'Sign in' }).click();
        await renewPage.getByTestId('empty-state').waitFor();
        const first = shortLived.issued[0]!;
        expect(first.refreshToken).toEqual(expect.any(String));

        const refresh = await waitFor(() => shortLived.tokenRequests.find((r) => r.params.get('grant_type') === 'refresh_token'), {
          what: 'a refresh-token request',
        });
        expect(refresh.outcome).toBe('issued');
        expect(refresh.params.get('client_id')).toBe(CLIENT_ID);
        expect(refresh.params.get('refresh_token')).toBe(first.refreshToken);
        // A 62 s token is renewed every few seconds, so by the next poll a later renewal may
        // have replaced the first one: any token but the first proves the renewal reached the API.
        const renewedBearer = (authorization: string | null | undefined): boolean =>
          shortLived.issued.slice(1).some((token) => authorization === bearer(token.accessToken));
        await waitFor(() => apiCalls.some((call) => renewedBearer(call.authorization)), {
          what: 'an API call with a renewed access token',
          // The renewed token goes out with the next poll, up to the quiet interval away.
          timeoutMs: SLOW_POLL_MS + 10_000,
        });

        expect(shortLived.authorizeRequests).toHaveLength(1);
        expect(await renewPage.getByTestId('empty-state').isVisible()).toBe(true);
        expect(pageErrors.filter((error) => !error.includes('401 (Unauthorized)'))).toEqual([]);
      } finally {
        await renewPage.close();
      }
    },
    SLOW_POLL_MS + 30_000,
  );

  it("signs out at the Cognito hosted UI's /logout when the config names its domain", async () => {
    const cognitoPage = await openPage();
    const logouts: URL[] = [];
    // The hosted UI is not reachable from here: answer its /logout as Cognito does, back to a
    // registered sign-out URL.
    await cognitoPage.route(`https://${COGNITO_DOMAIN}/**`, (route) => {
      const url = new URL(route.request().url());
      logouts.push(url);
      const logoutUri = url.searchParams.get('logout_uri');
      return logoutUri === `${siteUrl}/cognito/`
        ? route.fulfill({ status: 302, headers: { location: logoutUri } })
        : route.fulfill({ status: 400, contentType: 'text/plain', body: 'Invalid logout_uri' });
    });
    try {
      const authorizeBefore = provider.authorizeRequests.length;
      await cognitoPage.goto(`${siteUrl}/cognito/`);
      await cognitoPage.getByRole('button', { name: 'Sign in' }).click();
      await cognitoPage.getByTestId('empty-state').waitFor();
      expect(provider.authorizeRequests).toHaveLength(authorizeBefore + 1);
      expect(provider.authorizeRequests.at(-1)!.get('redirect_uri')).toBe(`${siteUrl}/cognito/`);
      expect(cognitoPage.url()).toBe(`${siteUrl}/cognito/`);

      // The UI asks for the API's admin scope and sends the access token, which carries it (an ID
      // token has no scope claim, so the authorizer would refuse it).
      expect(provider.authorizeRequests.at(-1)!.get('scope')).toBe(COGNITO_SCOPES);
      const { accessToken, idToken } = provider.issued.at(-1)!;
      await waitFor(() => apiCalls.some((call) => call.authorization === bearer(accessToken)), {
        what: 'an API call with the access token',
      });
      expect(apiCalls.some((call) => call.authorization === bearer(idToken))).toBe(false);
      const claims = decodeJwt(accessToken).claims;
      expect(claims['token_use']).toBe('access');
      expect(String(claims['scope']).split(' ')).toContain(ADMIN_SCOPE);
      expect(decodeJwt(idToken).claims['scope']).toBeUndefined();

      const endSessionsBefore = provider.endSessionRequests.length;
      const backAtSite = cognitoPage.waitForResponse(
        (response) => response.request().isNavigationRequest() && response.url() === `${siteUrl}/cognito/`,
      );
      await cognitoPage.getByRole('button', { name: 'Sign out' }).click();
      await backAtSite;
      await cognitoPage.getByTestId('sign-in').waitFor();

      expect(logouts.map((url) => `${url.origin}${url.pathname}`)).toEqual([`https://${COGNITO_DOMAIN}/logout`]);
      expect(Object.fromEntries(logouts[0]!.searchParams)).toEqual({ client_id: CLIENT_ID, logout_uri: `${siteUrl}/cognito/` });
      expect(provider.endSessionRequests).toHaveLength(endSessionsBefore);
      expect(await oidcUserKeys(cognitoPage)).toEqual([]);
      expect(pageErrors.filter((error) => !error.includes('401 (Unauthorized)'))).toEqual([]);
    } finally {
      await cognitoPage.close();
    }
  });
});
