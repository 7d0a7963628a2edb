/**
 * The one typed client of the REST API (see the API contract). Components call this module, never
 * `fetch` directly.
 */
import type { CostReport } from '../../lambdas/core/costs';
import type {
  ChannelStatusView,
  ChannelStreamKeyView,
  ChannelView,
  CreateDestinationInput,
  DestinationView,
  UpdateDestinationInput,
} from '../../lambdas/core/destination';
import type { FieldIssue } from '../../lambdas/core/errors';
import type { DestinationEventView } from '../../lambdas/core/events';

export type {
  ChannelStatusView,
  ChannelStreamKeyView,
  ChannelView,
  CostReport,
  CreateDestinationInput,
  DestinationEventView,
  DestinationView,
  FieldIssue,
  UpdateDestinationInput,
};

/** One page of a destination's history, newest first; `nextToken` null on the last page. */
export interface DestinationEventPage {
  events: DestinationEventView[];
  nextToken: string | null;
}

/** An error answer of the API, or a failure to reach it (`status` 0, code `NETWORK`). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Invalid fields from a 400's `details.fields`; empty otherwise. */
    readonly fieldErrors: FieldIssue[] = [],
    readonly details: unknown = undefined,
  ) {
    super(message);
  }

  /** The API could not be reached at all (network, DNS, CORS, timeout). */
  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

/** One simulated MediaLive channel as the local stack lists it. */
export interface LocalMediaLiveChannel {
  id: string;
  name?: string;
  /** CREATING, IDLE, STARTING, RUNNING, STOPPING, DELETING, … */
  state: string;
  /** ISO-8601 time the current state began. */
  stateSince?: string;
  [key: string]: unknown;
}

/** The parts of an OpenAPI 3.1 document the API reference page shows. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown> };
}

export type DeleteResult = { done: true } | { done: false; destination: DestinationView };

export interface ApiClientOptions {
  /** Base URL without a trailing slash; '' for the same origin. */
  baseUrl: string;
  fetch: typeof fetch;
  /** The bearer token to send, or null when signed out / no login configured. */
  getToken?: () => Promise<string | null> | string | null;
  /** Per-request time limit; default 15 s. */
  timeoutMs?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseFieldIssues(details: unknown): FieldIssue[] {
  if (!isRecord(details) || !Array.isArray(details['fields'])) return [];
  return details['fields'].flatMap((issue: unknown): FieldIssue[] =>
    isRecord(issue) && typeof issue['message'] === 'string'
      ? [{ field: typeof issue['field'] === 'string' ? issue['field'] : '', message: issue['message'] }]
      : [],
  );
}

/** Turns any non-2xx response body into an ApiError; tolerates bodies that are not the API's shape. */
export function toApiError(status: number, statusText: string, body: unknown): ApiError {
  if (isRecord(body) && isRecord(body['error'])) {
    const error = body['error'];
    const code = typeof error['code'] === 'string' ? error['code'] : `HTTP_${status}`;
    const message = typeof error['message'] === 'string' && error['message'] ? error['message'] : `HTTP ${status}`;
    return new ApiError(status, code, message, parseFieldIssues(error['details']), error['details']);
  }
  // API Gateway's own answers (authorizer, throttling) look like {"message": "Unauthorized"}.
  const gatewayMessage = isRecord(body) && typeof body['message'] === 'string' ? body['message'] : undefined;
  const code = status === 401 ? 'UNAUTHORIZED' : status === 403 ? 'FORBIDDEN' : `HTTP_${status}`;
  const message =
    status === 401
      ? 'Your session has expired. Sign in again.'
      : (gatewayMessage ?? (`HTTP ${status} ${statusText}`.trim() || `HTTP ${status}`));
  return new ApiError(status, code, message);
}

/** The last answer of a polled GET, sent back as If-None-Match. */
interface Remembered {
  etag: string;
  body: unknown;
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly getToken: () => Promise<string | null> | string | null;
  private readonly timeoutMs: number;
  private readonly remembered = new Map<string, Remembered>();

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch;
    this.getToken = options.getToken ?? (() => null);
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  /**
   * Polled: sends the last answer's ETag as If-None-Match and, on 304, returns that answer again
   * (the same array, so nothing re-renders).
   */
  async listDestinations(): Promise<DestinationView[]> {
    const body = await this.polled<{ destinations: DestinationView[] }>('/stream-destinations');
    return body.destinations;
  }

  getDestination(id: string): Promise<DestinationView> {
    return this.request('GET', `/stream-destinations/${encodeURIComponent(id)}`);
  }

  createDestination(input: CreateDestinationInput): Promise<DestinationView> {
    return this.request('POST', '/stream-destinations', input);
  }

  updateDestination(id: string, input: UpdateDestinationInput): Promise<DestinationView> {
    return this.request('PUT', `/stream-destinations/${encodeURIComponent(id)}`, input);
  }

  /** 204 → `{done: true}`; 202 → the destination, now `deleting` until MediaLive is cleaned up. */
  async deleteDestination(id: string): Promise<DeleteResult> {
    const body = await this.request<DestinationView | undefined>('DELETE', `/stream-destinations/${encodeURIComponent(id)}`);
    return body === undefined ? { done: true } : { done: false, destination: body };
  }

  /** 202; an ApiError with status 409 (`CHANNEL_OFFLINE`) when the IVS channel is not live. */
  startDestination(id: string): Promise<DestinationView> {
    return this.request('POST', `/stream-destinations/${encodeURIComponent(id)}/start`);
  }

  /** 202; while live the destination stays off for the current stream. */
  stopDestination(id: string): Promise<DestinationView> {
    return this.request('POST', `/stream-destinations/${encodeURIComponent(id)}/stop`);
  }

  /** A destination's history, newest first; pass a page's `nextToken` for the next (older) page. */
  listDestinationEvents(id: string, options: { limit?: number; nextToken?: string } = {}): Promise<DestinationEventPage> {
    const query = new URLSearchParams();
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    if (options.nextToken !== undefined) query.set('nextToken', options.nextToken);
    const search = query.toString();
    return this.request('GET', `/stream-destinations/${encodeURIComponent(id)}/events${search ? `?${search}` : ''}`);
  }

  /** Polled like listDestinations. */
  async streamStatus(): Promise<ChannelStatusView[]> {
    const body = await this.polled<{ channels: ChannelStatusView[] }>('/stream-status');
    return body.channels;
  }

  /** A channel's ingest server and playback URL (IVS GetChannel). */
  channel(channelId: string): Promise<ChannelView> {
    return this.request('GET', `/channels/${encodeURIComponent(channelId)}`);
  }

  /** The channel's IVS stream key in clear, for the encoder: ask only when the admin asks to see it. */
  channelStreamKey(channelId: string): Promise<ChannelStreamKeyView> {
    return this.request('GET', `/channels/${encodeURIComponent(channelId)}/stream-key`);
  }

  /** 202 with the channel: ends its grace period now, so what still runs stops. 409 CHANNEL_LIVE while live. */
  endGrace(channelId: string): Promise<ChannelStatusView> {
    return this.request('POST', `/channels/${encodeURIComponent(channelId)}/end-grace`);
  }

  /** `GET /costs`: prices, what runs now and this month so far. Polled like the list, but rarely (it reads every history). */
  costs(): Promise<CostReport> {
    return this.polled<CostReport>('/costs');
  }

  /** The API's OpenAPI 3.1 document (public: sent without a token is fine, with one too). */
  apiDocument(): Promise<OpenApiDocument> {
    return this.request('GET', '/openapi.json');
  }

  /** Where the raw document is, for a link. */
  apiDocumentUrl(): string {
    return `${this.baseUrl}/openapi.json`;
  }

  /** Local stack only: the simulated IVS channel goes live (all channels when none is given). */
  async localGoLive(channelArn?: string): Promise<void> {
    await this.request('POST', '/_local/ivs/live', channelArn === undefined ? undefined : { channelArn });
  }

  /** Local stack only: the simulated IVS stream ends. */
  async localGoOffline(channelArn?: string): Promise<void> {
    await this.request('POST', '/_local/ivs/offline', channelArn === undefined ? undefined : { channelArn });
  }

  /** Local stack only: the simulator's MediaLive channels. */
  async localMediaLiveChannels(): Promise<LocalMediaLiveChannel[]> {
    const body = await this.request<{ channels: LocalMediaLiveChannel[] } | LocalMediaLiveChannel[]>('GET', '/_local/medialive/channels');
    return Array.isArray(body) ? body : body.channels;
  }

  /** A GET that the server may answer 304 when nothing changed since the remembered answer. */
  private async polled<T>(path: string): Promise<T> {
    const last = this.remembered.get(path);
    const answer = await this.send('GET', path, undefined, last?.etag);
    if (answer.status === 304 && last) return last.body as T;
    const etag = answer.etag;
    if (etag) this.remembered.set(path, { etag, body: answer.body });
    else this.remembered.delete(path);
    return answer.body as T;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.send(method, path, body)).body as T;
  }

  private async send(
    method: string,
    path: string,
    body?: unknown,
    ifNoneMatch?: string,
  ): Promise<{ status: number; etag: string | null; body: unknown }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    // Setting If-None-Match makes fetch bypass the HTTP cache and hand the 304 to us (Fetch
    // standard, HTTP-network-or-cache fetch); the browser adds Accept-Encoding: gzip itself.
    if (ifNoneMatch !== undefined) headers['if-none-match'] = ifNoneMatch;
    const token = await this.getToken();
    if (token) headers['authorization'] = `Bearer ${token}`;

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let response: Response;
    try {
      response = await this.fetchFn(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
    } catch {
      const where = this.baseUrl || 'this site';
      throw new ApiError(
        0,
        'NETWORK',
        controller.signal.aborted ? `The API at ${where} did not answer in time.` : `Cannot reach the API at ${where}.`,
      );
    } finally {
      clearTimeout(timer);
    }

    if (response.status === 304) return { status: 304, etag: response.headers.get('etag'), body: undefined };
    const text = response.status === 204 ? '' : await response.text().catch(() => '');
    let parsed: unknown;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (!response.ok) throw toApiError(response.status, response.statusText, parsed);
    return { status: response.status, etag: response.headers.get('etag'), body: parsed };
  }
}
