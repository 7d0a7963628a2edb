import { RELAY_MODES, type RelayMode } from '../../lambdas/core/destination';

/**
 * The runtime configuration: `config.json` next to index.html, written by the deploy (and served by
 * the local stack), so one build runs against any API and identity provider.
 */

/** OIDC settings of the identity provider (Cognito in a deployment). */
export interface AuthConfig {
  /** OIDC issuer; for Cognito `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  issuer: string;
  clientId: string;
  /** Cognito hosted-UI domain (no scheme), used for sign-out because Cognito has no end_session_endpoint. */
  domain?: string;
  /** Defaults to the site root of the current origin. */
  redirectUri?: string;
  /** Space-separated scopes. Defaults to `openid email profile`. */
  scopes?: string;
}

/** One local channel's RTMP ingest, for the local-mode banner (local stack only). */
export interface LocalIngestConfig {
  channelArn: string;
  /** OBS "Server", e.g. rtmp://127.0.0.1:1935/app */
  server: string;
  /** OBS "Stream Key" of the local channel (a local, made-up key; shown on purpose). */
  streamKey: string;
  /** The channel's HLS playback URL. */
  playbackUrl: string;
}

/** Real media in the local stack (ffmpeg), or why it is simulated. */
export interface LocalMediaConfig {
  real: boolean;
  reason: string | null;
  ingests: LocalIngestConfig[];
}

/** The relay modes the deployment runs and the default of a new destination (the deploy writes it). */
export interface RelayModesConfig {
  offered: RelayMode[];
  default: RelayMode;
}

export interface RuntimeConfig {
  /** Base URL of the REST API without a trailing slash; '' means the same origin. */
  apiUrl: string;
  /** null: no login (the local stack). */
  auth: AuthConfig | null;
  /** True in the local stack: simulated IVS and MediaLive, with go-live controls. */
  localMode: boolean;
  /** Local stack only: real or simulated media. */
  localMedia?: LocalMediaConfig;
  /** Absent in a config.json written before relay modes: the form then offers both, default pass-through. */
  relayModes?: RelayModesConfig;
}

export const DEFAULT_SCOPES = 'openid email profile';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(source: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ConfigError(`${where}.${key} must be a string.`);
  return value;
}

function requiredString(source: Record<string, unknown>, key: string, where: string): string {
  const value = optionalString(source, key, where);
  if (!value) throw new ConfigError(`${where}.${key} is required.`);
  return value;
}

/** Validates the parsed `config.json`; throws a ConfigError that names the wrong field. */
export function parseRuntimeConfig(raw: unknown): RuntimeConfig {
  if (!isRecord(raw)) throw new ConfigError('config.json must hold a JSON object.');
  const apiUrl = (optionalString(raw, 'apiUrl', 'config') ?? '').trim().replace(/\/+$/, '');
  if (apiUrl !== '' && !/^https?:\/\/[^/]+/.test(apiUrl)) {
    throw new ConfigError('config.apiUrl must be an http(s) URL, or empty for the same origin.');
  }
  const localMode = raw['localMode'] === true;
  const rawAuth = raw['auth'];
  let auth: AuthConfig | null = null;
  if (rawAuth !== undefined && rawAuth !== null) {
    if (!isRecord(rawAuth)) throw new ConfigError('config.auth must be an object or null.');
    const scopesValue = rawAuth['scopes'];
    let scopes: string | undefined;
    if (Array.isArray(scopesValue) && scopesValue.every((s) => typeof s === 'string')) scopes = scopesValue.join(' ');
    else scopes = optionalString(rawAuth, 'scopes', 'config.auth');
    auth = {
      issuer: requiredString(rawAuth, 'issuer', 'config.auth').replace(/\/+$/, ''),
      clientId: requiredString(rawAuth, 'clientId', 'config.auth'),
    };
    const domain = optionalString(rawAuth, 'domain', 'config.auth');
    const redirectUri = optionalString(rawAuth, 'redirectUri', 'config.auth');
    if (domain) auth.domain = domain.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    if (redirectUri) auth.redirectUri = redirectUri;
    if (scopes?.trim()) auth.scopes = scopes.trim();
  }
  const config: RuntimeConfig = { apiUrl, auth, localMode };
  const localMedia = parseLocalMedia(raw['localMedia']);
  if (localMedia) config.localMedia = localMedia;
  const relayModes = parseRelayModes(raw['relayModes']);
  if (relayModes) config.relayModes = relayModes;
  return config;
}

function isRelayMode(value: unknown): value is RelayMode {
  return typeof value === 'string' && (RELAY_MODES as readonly string[]).includes(value);
}

function parseRelayModes(value: unknown): RelayModesConfig | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value) || !Array.isArray(value['offered']) || !isRelayMode(value['default'])) {
    throw new ConfigError('config.relayModes must be {"offered": [modes], "default": mode} with modes passthrough and transcode.');
  }
  const offered = value['offered'].filter(isRelayMode);
  if (!offered.includes(value['default'])) throw new ConfigError('config.relayModes.default must be one of config.relayModes.offered.');
  return { offered, default: value['default'] };
}

function parseLocalMedia(value: unknown): LocalMediaConfig | undefined {
  if (!isRecord(value)) return undefined;
  const ingests = Array.isArray(value['ingests']) ? value['ingests'].filter(isRecord) : [];
  return {
    real: value['real'] === true,
    reason: typeof value['reason'] === 'string' ? value['reason'] : null,
    ingests: ingests.map((i) => ({
      channelArn: requiredString(i, 'channelArn', 'config.localMedia.ingests[]'),
      server: requiredString(i, 'server', 'config.localMedia.ingests[]'),
      streamKey: requiredString(i, 'streamKey', 'config.localMedia.ingests[]'),
      playbackUrl: requiredString(i, 'playbackUrl', 'config.localMedia.ingests[]'),
    })),
  };
}

/** Fetches and validates `config.json`, relative to the page. */
export async function loadRuntimeConfig(fetchFn: typeof fetch, url: string): Promise<RuntimeConfig> {
  let response: Response;
  try {
    // No `accept` header or cache mode: the request must match the <link rel=preload> in index.html.
    response = await fetchFn(url);
  } catch (cause) {
    throw new ConfigError(`Could not load ${url}: the site is unreachable.`, { cause });
  }
  if (!response.ok) throw new ConfigError(`Could not load ${url}: HTTP ${response.status}.`);
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    throw new ConfigError(`${url} is not valid JSON.`, { cause });
  }
  return parseRuntimeConfig(body);
}
