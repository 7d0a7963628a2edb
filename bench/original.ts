/**
 * A model of the ORIGINAL system's algorithm (the Python stream monitor and API this product
 * replaces; DESIGN.md's faults table and the original stream-monitor document), run against the
 * same simulator and simulated clock as the real reconciler, so the benchmark can print both side
 * by side:
 *
 * - a schedule every 60 s (`rate(30 seconds)` is rejected by EventBridge; one minute is what ran),
 *   which calls IVS `GetStream` once per channel and compares with the stream-state item;
 * - only a transition acts: on OFFLINE → LIVE a full `Scan` of the destinations table, then each
 *   enabled, inactive destination in turn: start its channel, or create input and channel, wait
 *   until the channel is IDLE, start it; on LIVE → OFFLINE a full `Scan`, then `StopChannel` for
 *   each active destination in turn. There is no grace period: a stream end stops at once;
 * - the API acts synchronously: start = create-wait-start like the monitor, stop = StopChannel,
 *   delete = DeleteChannel and DeleteInput, each with the item read and written around it.
 *
 * DynamoDB is modelled in memory (each call takes the given simulated latency; a Scan page holds
 * 1 MB, about 2 000 of the original items of ~500 bytes).
 */
import type { ChannelSpec, MediaLiveGateway, StreamSource } from '../lambdas/core/ports';

/** The original destination item (German docs: id, platform, name, enabled, status, mediaLiveChannelId, rtmpUrl, streamKey). */
interface OriginalItem {
  id: string;
  enabled: boolean;
  status: 'inactive' | 'active';
  channelArn: string;
  mediaLiveChannelId?: string;
  mediaLiveInputId?: string;
}

const SCAN_PAGE_ITEMS = 2_000;

export interface OriginalOptions {
  streams: StreamSource;
  mediaLive: MediaLiveGateway;
  sleep: (ms: number) => Promise<void>;
  dynamoLatencyMs: number;
  channelArns: readonly string[];
  /** How often the original polled DescribeChannel while waiting for IDLE (ms). */
  pollMs?: number;
}

export class OriginalSystem {
  readonly calls: Record<string, number> = {};
  private readonly items = new Map<string, OriginalItem>();
  private readonly states = new Map<string, 'LIVE' | 'OFFLINE'>();

  constructor(private readonly o: OriginalOptions) {}

  addDestination(id: string, channelArn: string, enabled = true): void {
    this.items.set(id, { id, enabled, status: 'inactive', channelArn });
  }

  private async dynamo(action: string, pages = 1): Promise<void> {
    this.calls[`dynamodb:${action}`] = (this.calls[`dynamodb:${action}`] ?? 0) + pages;
    for (let i = 0; i < pages; i++) await this.o.sleep(this.o.dynamoLatencyMs);
  }

  private async scan(): Promise<OriginalItem[]> {
    await this.dynamo('Scan', Math.max(1, Math.ceil(this.items.size / SCAN_PAGE_ITEMS)));
    return [...this.items.values()];
  }

  /** One scheduled run of the stream monitor. */
  async tick(): Promise<void> {
    for (const arn of this.o.channelArns) {
      this.count('ivs:GetStream');
      const stream = await this.o.streams.getStream(arn);
      await this.dynamo('GetItem');
      const current = stream ? 'LIVE' : 'OFFLINE';
      const previous = this.states.get(arn) ?? 'OFFLINE';
      if (current === previous) continue;
      await this.dynamo('PutItem');
      this.states.set(arn, current);
      const items = (await this.scan()).filter((d) => d.channelArn === arn);
      if (current === 'LIVE') {
        for (const d of items.filter((x) => x.enabled && x.status === 'inactive')) await this.startDestination(d);
      } else {
        for (const d of items.filter((x) => x.status === 'active')) await this.stopDestination(d);
      }
    }
  }

  private count(action: string): void {
    this.calls[action] = (this.calls[action] ?? 0) + 1;
  }

  private spec(d: OriginalItem): ChannelSpec {
    return {
      projectName: 'bench',
      destinationId: d.id,
      destinationName: d.id,
      requestId: `original-${d.id}`,
      sourceUrl: 'https://example.playback.live-video.net/api/video/v1/original.m3u8',
      rtmpUrl: 'rtmps://a.rtmps.youtube.com/live2',
      streamKey: `original-key-${d.id}`,
      profile: '1080p30-6000',
      platform: 'youtube',
      sourceType: 'STANDARD',
      configRevision: 1,
      roleArn: 'arn:aws:iam::123456789012:role/original-medialive',
    };
  }

  async startDestination(d: OriginalItem): Promise<void> {
    const { mediaLive } = this.o;
    if (d.mediaLiveChannelId !== undefined) {
      this.count('medialive:DescribeChannel');
      const channel = await mediaLive.describeChannel(d.mediaLiveChannelId);
      if (channel?.state === 'IDLE') {
        this.count('medialive:StartChannel');
        await mediaLive.startChannel(channel.id);
      }
    } else {
      this.count('medialive:CreateInput');
      const { inputId } = await mediaLive.createInput(this.spec(d));
      this.count('medialive:CreateChannel');
      const channel = await mediaLive.createChannel(this.spec(d), inputId);
      d.mediaLiveChannelId = channel.id;
      d.mediaLiveInputId = inputId;
      for (;;) {
        this.count('medialive:DescribeChannel');
        const now = await mediaLive.describeChannel(channel.id);
        if (now?.state === 'IDLE') break;
        await this.o.sleep(this.o.pollMs ?? 1_000);
      }
      this.count('medialive:StartChannel');
      await mediaLive.startChannel(channel.id);
    }
    d.status = 'active';
    await this.dynamo('UpdateItem');
  }

  private async stopDestination(d: OriginalItem): Promise<void> {
    if (d.mediaLiveChannelId !== undefined) {
      this.count('medialive:StopChannel');
      await this.o.mediaLive.stopChannel(d.mediaLiveChannelId).catch(() => undefined);
    }
    d.status = 'inactive';
    await this.dynamo('UpdateItem');
  }

  async apiStart(id: string): Promise<void> {
    await this.dynamo('GetItem');
    const d = this.items.get(id) as OriginalItem;
    d.enabled = true;
    await this.startDestination(d);
  }

  async apiStop(id: string): Promise<void> {
    await this.dynamo('GetItem');
    await this.stopDestination(this.items.get(id) as OriginalItem);
  }

  async apiDelete(id: string): Promise<void> {
    await this.dynamo('GetItem');
    const d = this.items.get(id) as OriginalItem;
    if (d.mediaLiveChannelId !== undefined) {
      this.count('medialive:DeleteChannel');
      await this.o.mediaLive.deleteChannel(d.mediaLiveChannelId).catch(() => undefined);
    }
    if (d.mediaLiveInputId !== undefined) {
      this.count('medialive:DeleteInput');
      await this.o.mediaLive.deleteInput(d.mediaLiveInputId).catch(() => undefined);
    }
    this.items.delete(id);
    await this.dynamo('DeleteItem');
  }
}
