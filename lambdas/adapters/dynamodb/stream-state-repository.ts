/**
 * The stream-state table: one item per IVS channel (key `id` = channel ARN) recording what IVS last
 * said about it. Writes of what IVS said are unconditional on purpose: the table is a cache of IVS's answer, not a
 * source of truth. Every reconcile asks IVS again and overwrites the item with what it saw, so the
 * last writer is always at least as fresh as the one it replaces, and a lost write is repaired by
 * the next run a minute later. Optimistic locking would only turn that harmless race into retries.
 */
import { GetCommand, paginateScan, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChannelStreamState, SourceIngest, StreamStateRepository } from '../../core/ports';
import { isConditionalCheckFailed, toDomainError } from './errors';

export class DynamoStreamStateRepository implements StreamStateRepository {
  /** @param tableName the `{project}-stream-state` table. */
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listAll(): Promise<ChannelStreamState[]> {
    const items: ChannelStreamState[] = [];
    try {
      const pages = paginateScan({ client: this.doc }, { TableName: this.tableName, ConsistentRead: true });
      for await (const page of pages) items.push(...(page.Items ?? []).map(fromItem));
    } catch (error) {
      throw toDomainError(error, 'Scan', this.tableName);
    }
    return items;
  }

  async get(channelArn: string): Promise<ChannelStreamState | undefined> {
    try {
      const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { id: channelArn }, ConsistentRead: true }));
      return out.Item === undefined ? undefined : fromItem(out.Item);
    } catch (error) {
      throw toDomainError(error, 'GetItem', this.tableName);
    }
  }

  async put(state: ChannelStreamState): Promise<void> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: toItem(state) }));
    } catch (error) {
      throw toDomainError(error, 'PutItem', this.tableName);
    }
  }

  /**
   * The one conditional write of this table: ending a grace period early must not land on a
   * channel that went live (or offline anew) since the API read it, or it would end the wrong one.
   */
  async endGrace(channelArn: string, offlineSince: string, at: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id: channelArn },
          UpdateExpression: 'SET graceEndedAt = :at',
          ConditionExpression: '#state = :offline AND offlineSince = :offlineSince',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':at': at, ':offline': 'OFFLINE', ':offlineSince': offlineSince },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw toDomainError(error, 'UpdateItem', this.tableName);
    }
  }
}

function toItem(s: ChannelStreamState): Record<string, unknown> {
  const item: Record<string, unknown> = { id: s.id, state: s.state, timestamp: s.timestamp };
  if (s.streamId !== undefined) item.streamId = s.streamId;
  if (s.offlineSince !== undefined) item.offlineSince = s.offlineSince;
  if (s.broadcastId !== undefined) item.broadcastId = s.broadcastId;
  if (s.graceEndedAt !== undefined) item.graceEndedAt = s.graceEndedAt;
  if (s.ingest !== undefined) item.ingest = JSON.parse(JSON.stringify(s.ingest)) as unknown;
  return item;
}

/** Only the members SourceIngest knows, of the types it knows: the item may be older or hand-written. */
function ingestOf(value: unknown): SourceIngest | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const raw = value as Record<string, unknown>;
  if (typeof raw.streamId !== 'string') return undefined;
  const pick = (from: unknown, strings: string[], numbers: string[]): Record<string, string | number> | undefined => {
    if (typeof from !== 'object' || from === null) return undefined;
    const out: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(from)) {
      if ((strings.includes(k) && typeof v === 'string') || (numbers.includes(k) && typeof v === 'number')) out[k] = v;
    }
    return out;
  };
  const ingest: SourceIngest = { streamId: raw.streamId };
  const video = pick(raw.video, ['codec', 'profile'], ['width', 'height', 'bitrateBps', 'framerate', 'keyframeIntervalSeconds']);
  if (video) ingest.video = video;
  const audio = pick(raw.audio, ['codec'], ['bitrateBps', 'sampleRate', 'channels']);
  if (audio) ingest.audio = audio;
  return ingest;
}

function fromItem(item: Record<string, unknown>): ChannelStreamState {
  const state: ChannelStreamState = {
    id: item.id as string,
    state: item.state as ChannelStreamState['state'],
    timestamp: item.timestamp as string,
  };
  if (typeof item.streamId === 'string') state.streamId = item.streamId;
  if (typeof item.offlineSince === 'string') state.offlineSince = item.offlineSince;
  if (typeof item.broadcastId === 'string') state.broadcastId = item.broadcastId;
  if (typeof item.graceEndedAt === 'string') state.graceEndedAt = item.graceEndedAt;
  const ingest = ingestOf(item.ingest);
  if (ingest) state.ingest = ingest;
  return state;
}
