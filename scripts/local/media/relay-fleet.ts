/**
 * What the local stack's two kinds of real relays share: a set of ffmpeg relays that follows a set
 * of simulated resources (MediaLive channels for transcode, ECS tasks for pass-through). Every
 * `intervalMs` it starts a relay for each resource that runs and has none, and stops the relays
 * whose resource no longer runs. Relays are keyed by the relay id the items record (the router's
 * id: a MediaLive channel id bare, an ECS task qualified as `ecs:<task ARN>`), so the monitor's
 * telemetry targets find their figures here as they are.
 */
import type { RelayTelemetry } from '../../../lambdas/core/health';
import type { Log, RelayTelemetrySource, TelemetryTarget } from '../../../lambdas/core/ports';
import type { FfmpegRelay, RelayStats } from './relay';

/** One relay as `GET /_local/relays` shows it (never the key). */
export interface LocalRelayView {
  /** The simulated MediaLive channel (transcode) or ECS task (passthrough) it follows. */
  channelId: string;
  destinationId: string;
  mode: 'passthrough' | 'transcode';
  /** The encoding profile of a transcode; null for a copy. */
  profile: string | null;
  rtmpUrl: string;
  stats: RelayStats;
}

/** A relay made for a running resource, not started yet, and what the local view shows of it. */
export interface LaunchedRelay {
  relay: FfmpegRelay;
  view: Omit<LocalRelayView, 'stats'>;
}

export interface RelayFleetOptions<R> {
  /** What the log names these relays ("Local relays"). */
  label: string;
  log: Log;
  /** How often the resources are compared with the running relays. */
  intervalMs: number;
  /** The resources that should have a relay now, keyed by relay id. */
  running(): Map<string, R>;
  /** The relay for a running resource; undefined to leave it without one until a later sync. */
  launch(relayId: string, resource: R): Promise<LaunchedRelay | undefined>;
}

/** What a relay's stats say to the health rule: read directly from ffmpeg's progress, locally. */
export function telemetryOf(stats: RelayStats, now: Date): RelayTelemetry {
  return {
    observedAt: now.toISOString(),
    ...(stats.phase === 'running' && stats.bitrateKbps !== undefined ? { bitrateKbps: stats.bitrateKbps } : {}),
    ...(stats.lastMediaAt !== undefined ? { lastMediaAt: stats.lastMediaAt } : {}),
    ...(stats.failure !== undefined ? { failure: stats.failure } : {}),
  };
}

/** The monitor's telemetry port locally: each target's figures from the fleet that runs its relay. */
export function telemetryOfFleets(...fleets: readonly RelayTelemetrySource[]): RelayTelemetrySource {
  return {
    async read(targets, now) {
      const figures = await Promise.all(fleets.map((fleet) => fleet.read(targets, now)));
      return new Map(figures.flatMap((f) => [...f]));
    },
  };
}

export class RelayFleet<R> implements RelayTelemetrySource {
  readonly #relays = new Map<string, LaunchedRelay>();
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #stopped = false;

  constructor(private readonly fleet: RelayFleetOptions<R>) {}

  start(): void {
    this.#timer = setInterval(() => void this.sync(), this.fleet.intervalMs);
  }

  views(): LocalRelayView[] {
    return [...this.#relays.values()].map(({ relay, view }) => ({ ...view, stats: relay.stats }));
  }

  /** The figures of the relays this fleet runs for these targets; other targets are left out. */
  read(targets: readonly TelemetryTarget[], now: Date): Promise<Map<string, RelayTelemetry>> {
    const figures = new Map<string, RelayTelemetry>();
    for (const target of targets) {
      const entry = this.#relays.get(target.relayId);
      if (entry) figures.set(target.relayId, telemetryOf(entry.relay.stats, now));
    }
    return Promise.resolve(figures);
  }

  /** Starts a relay for every running resource that has none; stops those whose resource stopped. */
  async sync(): Promise<void> {
    if (this.#busy || this.#stopped) return;
    this.#busy = true;
    try {
      const running = this.fleet.running();
      for (const [relayId, entry] of [...this.#relays]) {
        if (running.has(relayId)) continue;
        this.#relays.delete(relayId);
        await entry.relay.stop();
      }
      for (const [relayId, resource] of running) {
        if (this.#relays.has(relayId)) continue;
        const launched = await this.fleet.launch(relayId, resource);
        if (!launched || this.#stopped) continue;
        this.#relays.set(relayId, launched);
        launched.relay.start();
      }
    } catch (error) {
      this.fleet.log.error(`${this.fleet.label}: sync failed; the next one retries`, {
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      this.#busy = false;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await Promise.all([...this.#relays.values()].map((r) => r.relay.stop()));
    this.#relays.clear();
  }
}
