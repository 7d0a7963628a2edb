/**
 * The relay engine port: what the planner and the executor know about the thing that carries a
 * destination's stream. Engine-neutral, so that MediaLive (transcode) today and an ffmpeg task
 * (pass-through) later plug into the same reconcile:
 *
 * | relay state    | MediaLive channel               | an ffmpeg/ECS task (later)        |
 * | -------------- | ------------------------------- | --------------------------------- |
 * | `absent`       | none, or DELETED                | none                              |
 * | `provisioning` | CREATING, UPDATING              | task definition/secret being made |
 * | `idle`         | IDLE                            | (never: a stopped task is absent) |
 * | `starting`     | STARTING                        | PROVISIONING, PENDING             |
 * | `running`      | RUNNING, RECOVERING             | RUNNING                           |
 * | `stopping`     | STOPPING                        | DEPROVISIONING, STOPPING          |
 * | `failed`       | CREATE_FAILED, UPDATE_FAILED    | STOPPED with a non-zero exit      |
 * | `deleting`     | DELETING                        | (never)                           |
 *
 * An engine that starts on create (a task) returns a relay already `starting` from `createRelay`;
 * the planner then has no `start` step to take. Pure types, no I/O.
 */
import type { RelayMode } from './destination';
import type { ChannelSpec } from './ports';

export const RELAY_STATES = ['absent', 'provisioning', 'idle', 'starting', 'running', 'stopping', 'failed', 'deleting'] as const;
export type RelayState = (typeof RELAY_STATES)[number];

/** One relay of this project as the engine reports it (never `absent`: absent relays are not listed). */
export interface Relay {
  /**
   * The engine's id (a MediaLive channel id; through the router, `ecs:<task ARN>` for a
   * pass-through task). Recorded on the item as `mediaLiveChannelId`.
   */
  id: string;
  state: Exclude<RelayState, 'absent'>;
  /** The destination it belongs to, from its tag; undefined for a relay of this project without one. */
  destinationId: string | undefined;
  /** The destination's configRevision it was built from (its tag); undefined when unknown, i.e. stale. */
  configRevision: number | undefined;
  /** Sources (MediaLive inputs) attached to it; retired with it when it is deleted. */
  sourceIds: string[];
  /** The engine's own state name (`CREATE_FAILED`), for logs. */
  engineState: string;
  /** Set in state `failed`: the error to show on the destination. */
  failure?: { code: string; message: string };
}

/** A source a relay pulls from (a MediaLive input). Listed only for the orphan sweep. */
export interface RelaySource {
  id: string;
  /** The destination it was made for, from its tag. */
  destinationId: string | undefined;
  /** Relays it is attached to (not deleted). */
  attachedTo: string[];
}

/**
 * Everything an engine needs to build one destination's relay (the stream key only in memory);
 * `mode` picks the engine (`relay-router.ts`).
 */
export type RelaySpec = ChannelSpec & { mode: RelayMode };

/**
 * How long an engine's transitions usually take. The executor asks to be looked at again after
 * this instead of waiting; an event from the engine usually comes first.
 */
export interface RelayTimings {
  provisionMs: number;
  startMs: number;
  stopMs: number;
  deleteMs: number;
}

/**
 * One engine. Every call is one request to the engine, safe to repeat: creates are idempotent by
 * `spec.requestId`; start, stop and delete report a wrong state as WrongStateError and a missing
 * relay as ResourceNotFoundError (see `errors.ts`), which the executor takes as "already done".
 */
export interface RelayEngine {
  /** Names the engine in logs and error codes (`medialive`). */
  readonly name: string;
  /** The engine that owns a relay id, where one port fronts several (`relay-router.ts`); else `name`. */
  engineOf?(relayId: string): string;
  readonly timings: RelayTimings;
  /** Every relay of this project (one paginated list). */
  listRelays(): Promise<Relay[]>;
  /** One relay; undefined when it does not exist (any more) or is not this project's. */
  describeRelay(relayId: string): Promise<Relay | undefined>;
  /** Every source of this project: auxiliary, read only by the orphan sweep. */
  listSources(): Promise<RelaySource[]>;
  /** Creates the relay's source; returns its id. */
  createSource(spec: RelaySpec): Promise<string>;
  /** Creates the relay on `sourceId`. */
  createRelay(spec: RelaySpec, sourceId: string): Promise<Relay>;
  startRelay(relayId: string): Promise<void>;
  /**
   * Makes a running relay read its source again, for a stream that came back with a new id
   * (MediaLive: an immediate input switch; without it the channel stays black). Optional: an
   * engine whose relay follows a returning stream by itself (ffmpeg re-reading the playlist)
   * leaves it out, and the step is then done at once.
   */
  reattachSource?(relayId: string, streamId: string): Promise<void>;
  stopRelay(relayId: string): Promise<void>;
  deleteRelay(relayId: string): Promise<void>;
  deleteSource(sourceId: string): Promise<void>;
}
