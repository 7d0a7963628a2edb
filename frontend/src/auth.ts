/**
 * Sign-in with the OAuth 2.0 authorization-code flow and PKCE, through oidc-client-ts. Loaded only
 * when the runtime config has `auth`, so the local stack never downloads it.
 */
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { DEFAULT_SCOPES, type AuthConfig } from './config';

export interface Session {
  /** The access token for the API, or null when signed out or expired. */
  token(): string | null;
  /** The signed-in user's e-mail or name, for the header. */
  userLabel(): string | null;
  signIn(): Promise<void>;
  signOut(): Promise<void>;
  /** Drops the local session (e.g. after the API answered 401) without leaving the page. */
  forget(): Promise<void>;
  /** Called whenever the user signs in, renews or signs out. */
  onChange(listener: () => void): void;
}

/** The site root of the current page, e.g. `https://admin.example.com/`. */
function siteRoot(): string {
  return new URL('./', window.location.href).href;
}

function hasAuthResponse(url: URL): boolean {
  return (url.searchParams.has('code') || url.searchParams.has('error')) && url.searchParams.has('state');
}

/** Completes a redirect back from the identity provider, then returns the current session. */
export async function createSession(config: AuthConfig): Promise<Session> {
  const redirectUri = config.redirectUri ?? siteRoot();
  const manager = new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: redirectUri,
    post_logout_redirect_uri: redirectUri,
    response_type: 'code',
    scope: config.scopes ?? DEFAULT_SCOPES,
    automaticSilentRenew: true,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });

  let user: User | null = null;
  const listeners = new Set<() => void>();
  const notify = (): void => listeners.forEach((listener) => listener());

  const current = new URL(window.location.href);
  if (hasAuthResponse(current)) {
    try {
      user = await manager.signinRedirectCallback();
    } finally {
      // Drop ?code=…&state=… so a reload does not replay the callback.
      window.history.replaceState(window.history.state, '', redirectUri);
    }
  } else {
    user = await manager.getUser();
  }

  manager.events.addUserLoaded((loaded) => {
    user = loaded;
    notify();
  });
  manager.events.addUserUnloaded(() => {
    user = null;
    notify();
  });
  manager.events.addAccessTokenExpired(() => {
    user = null;
    notify();
  });
  manager.events.addSilentRenewError(() => notify());

  return {
    token: () => (user && !user.expired ? user.access_token : null),
    userLabel: () => {
      const profile = user?.profile;
      if (!profile) return null;
      return (profile.email as string | undefined) ?? (profile.preferred_username as string | undefined) ?? profile.sub;
    },
    signIn: () => manager.signinRedirect(),
    signOut: async () => {
      if (config.domain) {
        // Cognito publishes no end_session_endpoint; its hosted UI signs out at /logout.
        await manager.removeUser();
        const logout = new URL(`https://${config.domain}/logout`);
        logout.searchParams.set('client_id', config.clientId);
        logout.searchParams.set('logout_uri', redirectUri);
        window.location.assign(logout.href);
        return;
      }
      const endSession = await manager.metadataService.getEndSessionEndpoint().catch(() => undefined);
      // signoutRedirect reads the ID token for the id_token_hint (some providers require it),
      // then removes the session itself.
      if (endSession) await manager.signoutRedirect();
      else {
        await manager.removeUser();
        notify();
      }
    },
    forget: async () => {
      await manager.removeUser().catch(() => undefined);
      user = null;
      notify();
    },
    onChange: (listener) => {
      listeners.add(listener);
    },
  };
}
