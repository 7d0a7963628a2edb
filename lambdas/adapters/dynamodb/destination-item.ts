/**
 * The schema of a destinations-table item. Every item read is parsed with it: an item written by
 * hand, by an older version or by a bug is reported on that destination (MalformedItemError)
 * instead of stopping the reconcile of every other one. Attributes the model does not know (say,
 * a plaintext `streamKey` written by the original system) are dropped, never passed on.
 */
import { z } from 'zod';
import { DESTINATION_STATUSES, LEGACY_RELAY_MODE, PLATFORMS, PROFILES, RELAY_MODES, type Destination } from '../../core/destination';
import { HEALTH_STATES } from '../../core/health';

const isoTime = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'expected an ISO-8601 time');
const count = z.number().int().min(0);

export const destinationItemSchema = z.object({
  id: z.string().min(1),
  platform: z.enum(PLATFORMS),
  name: z.string(),
  enabled: z.boolean(),
  status: z.enum(DESTINATION_STATUSES),
  channelArn: z.string().min(1),
  rtmpUrl: z.string().min(1),
  streamKeyCiphertext: z.string().min(1),
  streamKeyHint: z.string(),
  profile: z.enum(PROFILES),
  // Items written before relay modes existed run on MediaLive: they read as `transcode`.
  mode: z.enum(RELAY_MODES).default(LEGACY_RELAY_MODE),
  pausedStreamId: z.string().optional(),
  mediaLiveChannelId: z.string().min(1).optional(),
  mediaLiveInputId: z.string().min(1).optional(),
  reattachedStreamId: z.string().min(1).optional(),
  configRevision: count,
  mediaLiveConfigRevision: count.optional(),
  generation: count,
  idleDeletedRelayId: z.string().min(1).optional(),
  deleteRequested: z.boolean().optional(),
  staleInputIds: z.array(z.string().min(1)).optional(),
  lease: z.object({ owner: z.string(), until: isoTime }).optional(),
  lastError: z.object({ code: z.string(), message: z.string(), at: isoTime }).optional(),
  health: z
    .object({ state: z.enum(HEALTH_STATES), bitrateKbps: z.number().min(0).nullable(), since: isoTime, message: z.string() })
    .optional(),
  relayAlerts: z.array(z.object({ id: z.string().min(1), type: z.string(), message: z.string(), setAt: isoTime })).optional(),
  statusSince: isoTime,
  version: count,
  createdAt: isoTime,
  updatedAt: isoTime,
}) satisfies z.ZodType<Destination>;

export type ParsedItem =
  { ok: true; destination: Destination } | { ok: false; id: string; problems: string; recordedError: string | undefined };

/** Parses one raw item; never throws. */
export function parseDestinationItem(item: Record<string, unknown>): ParsedItem {
  const parsed = destinationItemSchema.safeParse(item);
  if (parsed.success) return { ok: true, destination: withoutUndefined(parsed.data) };
  const problems = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || 'item'}: ${i.message}`)
    .join('; ');
  const lastError = item.lastError as { message?: unknown } | undefined;
  return {
    ok: false,
    id: typeof item.id === 'string' ? item.id : String(item.id),
    problems,
    recordedError: typeof lastError?.message === 'string' ? lastError.message : undefined,
  };
}

function withoutUndefined(d: Destination): Destination {
  return Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) as unknown as Destination;
}
