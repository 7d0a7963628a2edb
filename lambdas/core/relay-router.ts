/**
 * One relay engine in front of two: the reconciler and the planner keep talking to one port
 * (`relay.ts`), and this router sends each call to the engine of the destination's mode. Pure
 * routing, no I/O of its own.
 *
 * - **Creates** go by `spec.mode`: `transcode` to MediaLive, `passthrough` to the pass-through
 *   engine (ECS Fargate in AWS, the simulated ECS with local ffmpeg in `npm start`).
 * - **Everything else** goes by the id. The router hands out, and so the items record, the
 *   transcode engine's ids bare (MediaLive channel and input ids, as every item stored before
 *   modes existed records them) and the pass-through engine's ids qualified with its name:
 *   `ecs:arn:aws:ecs:…:task/…`. So `mediaLiveChannelId`, `mediaLiveInputId` and `staleInputIds`
 *   keep their meaning for old items and say, for new ones, which engine owns each resource; a
 *   mode change retires the old engine's relay and sources by their own ids.
 * - **Listings** cover both engines. One engine's list failing does not hide the other's relays:
 *   the router throws a `PartialListingError` that carries what the other engine listed and says
 *   which ids it covers, so a caller can go on with those and must not take a relay of the
 *   failed engine for gone (which would forget a running relay and start a second one).
 */
import { InvalidConfigurationError, ResourceNotFoundError, ServiceUnavailableError } from './errors';
import type { RelayMode } from './destination';
import type { Relay, RelayEngine, RelaySource, RelaySpec, RelayTimings } from './relay';

/** Separates an engine's name from its own id in a qualified relay or source id. */
const SEPARATOR = ':';

/** The id the router hands out (and the items record) for an id of the pass-through engine `engine`. */
export function qualifyId(engine: string, id: string): string {
  return `${engine}${SEPARATOR}${id}`;
}

/** What the pass-through engine's absence is answered with (a create, or a relay recorded on it). */
export const PASSTHROUGH_NOT_DEPLOYED =
  'Pass-through relays are not enabled in this deployment: deploy with enableRelays: true (the module\'s create_relays = true), or switch the destination to mode "transcode".';

/** A listing of which one engine failed: what the other engines listed, and what it covers. */
export class PartialListingError<T> extends ServiceUnavailableError {
  constructor(
    /** What the engines that answered listed (ids qualified). */
    readonly items: T[],
    /** The engines whose listing failed, with their errors. */
    readonly failed: { engine: string; error: unknown }[],
    private readonly coveredEngines: ReadonlySet<string>,
    private readonly engineOf: (id: string) => string,
  ) {
    super(`Listing relays of ${failed.map((f) => f.engine).join(', ')} failed; the other engines were listed.`, {
      cause: failed[0]?.error,
    });
  }

  /** True when the listing is complete for the engine that owns `id`. */
  covers(id: string): boolean {
    return this.coveredEngines.has(this.engineOf(id));
  }
}

/** The later of two engines' timings, field by field: a look again is never too early for either. */
function slowest(a: RelayTimings, b: RelayTimings | undefined): RelayTimings {
  if (!b) return a;
  return {
    provisionMs: Math.max(a.provisionMs, b.provisionMs),
    startMs: Math.max(a.startMs, b.startMs),
    stopMs: Math.max(a.stopMs, b.stopMs),
    deleteMs: Math.max(a.deleteMs, b.deleteMs),
  };
}

export interface RelayEngines {
  /** MediaLive: its ids are recorded bare. */
  transcode: RelayEngine;
  /** The pass-through engine; absent when the deployment has no relays. Its ids are qualified. */
  passthrough?: RelayEngine;
}

export class RelayRouter implements RelayEngine {
  readonly name: string;
  readonly timings: RelayTimings;

  constructor(private readonly engines: RelayEngines) {
    if (engines.passthrough && (engines.passthrough.name.includes(SEPARATOR) || engines.passthrough.name === engines.transcode.name)) {
      throw new Error(`The pass-through engine needs a name of its own without "${SEPARATOR}", got ${engines.passthrough.name}`);
    }
    this.name = engines.passthrough ? `${engines.transcode.name}+${engines.passthrough.name}` : engines.transcode.name;
    this.timings = slowest(engines.transcode.timings, engines.passthrough?.timings);
  }

  /** The modes this router can create relays for. */
  get modes(): RelayMode[] {
    return this.engines.passthrough ? ['passthrough', 'transcode'] : ['transcode'];
  }

  /** The name of the engine that owns a (qualified) id. */
  engineOf(id: string): string {
    const at = id.indexOf(SEPARATOR);
    // MediaLive ids are digits; anything before the first separator names another engine.
    return at < 0 ? this.engines.transcode.name : id.slice(0, at);
  }

  /** The engine that owns an id, and the engine's own id. */
  private route(id: string): { engine: RelayEngine; id: string } {
    const name = this.engineOf(id);
    if (name === this.engines.transcode.name) return { engine: this.engines.transcode, id };
    const passthrough = this.engines.passthrough;
    if (passthrough && name === passthrough.name) return { engine: passthrough, id: id.slice(name.length + SEPARATOR.length) };
    throw new InvalidConfigurationError(
      `Relay resource ${id} belongs to engine "${name}", which this deployment does not run. ${PASSTHROUGH_NOT_DEPLOYED}`,
    );
  }

  private engineFor(mode: RelayMode): RelayEngine {
    if (mode === 'transcode') return this.engines.transcode;
    if (!this.engines.passthrough) throw new InvalidConfigurationError(PASSTHROUGH_NOT_DEPLOYED);
    return this.engines.passthrough;
  }

  private qualify(engine: RelayEngine, id: string): string {
    return engine === this.engines.transcode ? id : qualifyId(engine.name, id);
  }

  private relayOf(engine: RelayEngine, relay: Relay): Relay {
    if (engine === this.engines.transcode) return relay;
    return { ...relay, id: this.qualify(engine, relay.id), sourceIds: relay.sourceIds.map((s) => this.qualify(engine, s)) };
  }

  private sourceOf(engine: RelayEngine, source: RelaySource): RelaySource {
    if (engine === this.engines.transcode) return source;
    return { ...source, id: this.qualify(engine, source.id), attachedTo: source.attachedTo.map((r) => this.qualify(engine, r)) };
  }

  /** Lists every engine at once; a failure of one is a PartialListingError carrying the rest. */
  private async listAll<T>(list: (engine: RelayEngine) => Promise<T[]>): Promise<T[]> {
    const engines = [this.engines.transcode, ...(this.engines.passthrough ? [this.engines.passthrough] : [])];
    const results = await Promise.allSettled(engines.map(list));
    const items: T[] = [];
    const failed: { engine: string; error: unknown }[] = [];
    const covered = new Set<string>();
    results.forEach((result, i) => {
      const engine = engines[i] as RelayEngine;
      if (result.status === 'fulfilled') {
        items.push(...result.value);
        covered.add(engine.name);
      } else failed.push({ engine: engine.name, error: result.reason });
    });
    if (failed.length === 0) return items;
    if (covered.size === 0) throw failed[0]?.error;
    throw new PartialListingError(items, failed, covered, (id) => this.engineOf(id));
  }

  listRelays(): Promise<Relay[]> {
    return this.listAll(async (engine) => (await engine.listRelays()).map((r) => this.relayOf(engine, r)));
  }

  async describeRelay(relayId: string): Promise<Relay | undefined> {
    const { engine, id } = this.route(relayId);
    const relay = await engine.describeRelay(id);
    return relay && this.relayOf(engine, relay);
  }

  listSources(): Promise<RelaySource[]> {
    return this.listAll(async (engine) => (await engine.listSources()).map((s) => this.sourceOf(engine, s)));
  }

  async createSource(spec: RelaySpec): Promise<string> {
    const engine = this.engineFor(spec.mode);
    return this.qualify(engine, await engine.createSource(spec));
  }

  async createRelay(spec: RelaySpec, sourceId: string): Promise<Relay> {
    const engine = this.engineFor(spec.mode);
    const source = this.route(sourceId);
    if (source.engine !== engine) {
      // A source of the other engine (made before a mode change; the edit retires it, so only a
      // plan older than the edit gets here): for this engine it does not exist. The executor
      // forgets it, the orphan sweep deletes it, and the next pass makes one on the right engine.
      throw new ResourceNotFoundError(`Source ${sourceId} belongs to another engine than mode ${spec.mode}.`);
    }
    return this.relayOf(engine, await engine.createRelay(spec, source.id));
  }

  async startRelay(relayId: string): Promise<void> {
    const { engine, id } = this.route(relayId);
    return engine.startRelay(id);
  }

  async reattachSource(relayId: string, streamId: string): Promise<void> {
    const { engine, id } = this.route(relayId);
    await engine.reattachSource?.(id, streamId);
  }

  async stopRelay(relayId: string): Promise<void> {
    const { engine, id } = this.route(relayId);
    return engine.stopRelay(id);
  }

  async deleteRelay(relayId: string): Promise<void> {
    const { engine, id } = this.route(relayId);
    return engine.deleteRelay(id);
  }

  async deleteSource(sourceId: string): Promise<void> {
    const { engine, id } = this.route(sourceId);
    return engine.deleteSource(id);
  }
}
