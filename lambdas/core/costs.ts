/**
 * What restreaming costs: now ($/h of what runs, by relay mode) and this month (the runs the
 * destinations' history records). Pure: the price table, the arithmetic, and the runs read from
 * events; the service at the bottom reads destinations and events through the ports.
 *
 * The default prices are AWS list prices for us-east-1 with their sources in docs/costs.md (which
 * works the same numbers out by hand): MediaLive input and output per hour, Fargate vCPU and
 * memory per hour, the public IPv4 address, data transfer out per GB. A deployment overrides any
 * of them (`prices` in deployment.config.ts → Terraform `prices` → the API's `PRICES`).
 *
 * Simplifications, said in the answer too: data transfer at the first paid tier without the free
 * 100 GB; a pass-through relay sends `passthroughKbps` (the source's bitrate is not known here);
 * a run is billed from `starting` to `stopped` with the minimum per start (MediaLive 10 minutes,
 * Fargate 1 minute); the mode of a past run is the destination's mode now.
 */
import { PROFILE_VIDEO, RELAY_MODES, type RelayMode } from './destination';
import type { Destination, DestinationStatus, Profile } from './destination';
import type { DestinationEventKind } from './events';
import type { Clock, DestinationEventLog, DestinationRepository } from './ports';

/** The two relay engines (DESIGN.md): a Fargate ffmpeg copy, or a MediaLive channel. */
// The relay modes are the destination model's (one definition); re-exported for the cost report.
export { RELAY_MODES };
export type { RelayMode };

/** Every price the cost report uses, in USD; the keys a deployment may override. */
export const PRICE_KEYS = [
  'mediaLiveInputPerHour',
  'mediaLiveOutputSdPerHour',
  'mediaLiveOutputHdPerHour',
  'mediaLiveMinimumMinutes',
  'fargateVcpuPerHour',
  'fargateGbPerHour',
  'relayTaskVcpu',
  'relayTaskMemoryGb',
  'fargateMinimumMinutes',
  'publicIpv4PerHour',
  'dataTransferOutPerGb',
  'passthroughKbps',
] as const;
export type PriceKey = (typeof PRICE_KEYS)[number];
export type PriceTable = Readonly<Record<PriceKey, number>>;

/** us-east-1 list prices; each one's source is in docs/costs.md, "The rates". */
export const DEFAULT_PRICES: PriceTable = {
  mediaLiveInputPerHour: 0.294,
  mediaLiveOutputSdPerHour: 0.354,
  mediaLiveOutputHdPerHour: 0.702,
  mediaLiveMinimumMinutes: 10,
  fargateVcpuPerHour: 0.03238,
  fargateGbPerHour: 0.00356,
  relayTaskVcpu: 0.25,
  relayTaskMemoryGb: 0.5,
  fargateMinimumMinutes: 1,
  publicIpv4PerHour: 0.005,
  dataTransferOutPerGb: 0.09,
  passthroughKbps: 6000,
};

/** The defaults with a deployment's overrides on top. */
export function resolvePrices(overrides: Partial<Record<PriceKey, number>>): PriceTable {
  return Object.freeze({ ...DEFAULT_PRICES, ...overrides });
}

/**
 * MediaLive bills an output by its resolution class: "SD is less than 720 lines, HD is 720 to
 * 1080 lines" (ReservationResolution in the MediaLive API model,
 * https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/medialive/aws.sdk.kotlin.services.medialive.model/-reservation-resolution).
 */
const HD_MIN_LINES = 720;

/** The parts of a destination the price depends on; `mode` is `transcode` when absent (MediaLive). */
export interface Priced {
  profile: Profile;
  mode?: RelayMode;
}

export interface HourlyRate {
  mode: RelayMode;
  /** The relay itself: MediaLive input + output, or Fargate vCPU + memory + public IPv4. */
  relayUsd: number;
  /** Data transfer out to the platform at the relay's bitrate. */
  dataUsd: number;
  totalUsd: number;
  /** Billed at least this long per start. */
  minimumMinutes: number;
}

/** GB (10^9 bytes) sent in an hour at `kbps`. */
export const gbPerHour = (kbps: number): number => (kbps * 1000 * 3600) / 8 / 1e9;

/** One destination-hour of a relay. */
export function hourlyRate(destination: Priced, prices: PriceTable): HourlyRate {
  const mode = destination.mode ?? 'transcode';
  if (mode === 'passthrough') {
    const relayUsd =
      prices.relayTaskVcpu * prices.fargateVcpuPerHour + prices.relayTaskMemoryGb * prices.fargateGbPerHour + prices.publicIpv4PerHour;
    const dataUsd = gbPerHour(prices.passthroughKbps) * prices.dataTransferOutPerGb;
    return { mode, relayUsd, dataUsd, totalUsd: relayUsd + dataUsd, minimumMinutes: prices.fargateMinimumMinutes };
  }
  const video = PROFILE_VIDEO[destination.profile];
  const hd = video.height >= HD_MIN_LINES;
  const relayUsd = prices.mediaLiveInputPerHour + (hd ? prices.mediaLiveOutputHdPerHour : prices.mediaLiveOutputSdPerHour);
  const dataUsd = gbPerHour(video.videoBitrateKbps) * prices.dataTransferOutPerGb;
  return { mode, relayUsd, dataUsd, totalUsd: relayUsd + dataUsd, minimumMinutes: prices.mediaLiveMinimumMinutes };
}

/** A relay run: from its start to its stop (or to `to` while it still runs). */
export interface Run {
  start: number;
  end: number;
  /** False when it began before the window (or before the history): no minimum applies then. */
  startedInWindow: boolean;
}

/** The cost of one run: relay time billed at least the minimum per start; data as sent. */
export function runCost(run: Run, rate: HourlyRate): number {
  const hours = Math.max(0, run.end - run.start) / 3_600_000;
  const billedHours = run.startedInWindow ? Math.max(hours, rate.minimumMinutes / 60) : hours;
  return billedHours * rate.relayUsd + hours * rate.dataUsd;
}

/** Events that begin a run, and that end one (a failure ends it unless the relay still runs). */
const OPENS = new Set<DestinationEventKind>(['starting', 'running']);
const CLOSES = new Set<DestinationEventKind>(['stopped', 'deleted']);
const RUNNING: ReadonlySet<DestinationStatus> = new Set(['starting', 'active', 'stopping']);

/** An event as the cost needs it. */
export interface TimedEvent {
  at: string;
  kind: DestinationEventKind;
  details?: Record<string, unknown>;
}

/**
 * The runs within [from, to] from a destination's events up to `to` (any order). A run still
 * open at the newest event lasts until `to` when the destination still runs (`runningNow`); a
 * stop with no start inside the window began before it. Every run ends after `from`.
 */
export function runsFromEvents(events: readonly TimedEvent[], from: number, to: number, runningNow: boolean): Run[] {
  const sorted = events
    .map((e) => ({ ...e, time: Date.parse(e.at) }))
    // A stop recorded at the very moment of the report (`to`) still ends its run.
    .filter((e) => Number.isFinite(e.time) && e.time <= to)
    .sort((a, b) => a.time - b.time);
  const runs: Run[] = [];
  let open: number | undefined;
  let sawAny = false;
  // A run that ends at or before `from` is not pushed: it lies outside the window.
  const close = (end: number): void => {
    const start = Math.max(open ?? from, from);
    if (end > start) runs.push({ start, end, startedInWindow: open !== undefined && open >= from });
    open = undefined;
  };
  for (const event of sorted) {
    const ends =
      CLOSES.has(event.kind) || (event.kind === 'failed' && !RUNNING.has(String(event.details?.['status']) as DestinationStatus));
    if (OPENS.has(event.kind)) {
      open ??= event.time;
    } else if (ends) {
      // A stop whose start the history does not hold: the run began before the oldest event.
      if (open !== undefined || !sawAny) close(event.time);
    }
    sawAny = true;
  }
  if (open !== undefined && runningNow) close(to);
  return runs;
}

/** Start of the calendar month (UTC) of `now`. */
export function monthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

export interface ModeCost {
  mode: RelayMode;
  destinations: number;
  hourlyUsd: number;
}

export interface ModeMonth {
  mode: RelayMode;
  hours: number;
  runs: number;
  usd: number;
}

/** `GET /costs`. */
export interface CostReport {
  currency: 'USD';
  /** The prices in effect, and which of them the deployment set. */
  prices: PriceTable;
  overridden: PriceKey[];
  running: { hourlyUsd: number; destinations: number; byMode: ModeCost[] };
  month: {
    from: string;
    to: string;
    usd: number;
    destinationHours: number;
    byMode: ModeMonth[];
    /** What the month's figure is made of and leaves out. */
    basis: string;
  };
}

/** Whether a destination's relay runs (bills) now. */
export const isRunning = (d: { status: DestinationStatus }): boolean => RUNNING.has(d.status);

const round = (usd: number, digits = 4): number => Math.round(usd * 10 ** digits) / 10 ** digits;

/** What runs now, by mode. */
export function runningCost(destinations: readonly (Priced & { status: DestinationStatus })[], prices: PriceTable): CostReport['running'] {
  const byMode = RELAY_MODES.map((mode): ModeCost => {
    const here = destinations.filter((d) => isRunning(d) && (d.mode ?? 'transcode') === mode);
    return { mode, destinations: here.length, hourlyUsd: round(here.reduce((sum, d) => sum + hourlyRate(d, prices).totalUsd, 0)) };
  });
  return {
    hourlyUsd: round(byMode.reduce((sum, m) => sum + m.hourlyUsd, 0)),
    destinations: byMode.reduce((n, m) => n + m.destinations, 0),
    byMode,
  };
}

export const MONTH_BASIS =
  'Runs recorded in each current destination’s history (starting → stopped) since the 1st of the month (UTC), relay time at least the minimum per start, data transfer at the first paid tier without the free 100 GB. Destinations deleted this month and runs older than the 30-day history are not counted.';

/** The month so far from each destination's runs. */
export function monthCost(
  perDestination: readonly { destination: Priced; runs: readonly Run[] }[],
  prices: PriceTable,
  from: Date,
  to: Date,
): CostReport['month'] {
  const totals = new Map<RelayMode, ModeMonth>(RELAY_MODES.map((mode) => [mode, { mode, hours: 0, runs: 0, usd: 0 }]));
  for (const { destination, runs } of perDestination) {
    const rate = hourlyRate(destination, prices);
    const total = totals.get(rate.mode) as ModeMonth;
    for (const run of runs) {
      total.runs += 1;
      total.hours += (run.end - run.start) / 3_600_000;
      total.usd += runCost(run, rate);
    }
  }
  const byMode = [...totals.values()].map((m) => ({ ...m, hours: round(m.hours, 3), usd: round(m.usd, 2) }));
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    usd: round(
      byMode.reduce((sum, m) => sum + m.usd, 0),
      2,
    ),
    destinationHours: round(
      byMode.reduce((sum, m) => sum + m.hours, 0),
      3,
    ),
    byMode,
    basis: MONTH_BASIS,
  };
}

/** Reads what the report needs through the ports. */
export interface CostDependencies {
  destinations: Pick<DestinationRepository, 'listAll'>;
  events: Pick<DestinationEventLog, 'list'>;
  clock: Clock;
  prices: PriceTable;
  overridden: readonly PriceKey[];
  /** Histories read at once (one DynamoDB Query each, page by page). */
  concurrency?: number;
}

export interface CostReporter {
  report(): Promise<CostReport>;
}

/** The events of one destination back to `from` (newest first, page by page, stopping at `from`). */
async function eventsSince(events: CostDependencies['events'], destinationId: string, from: number): Promise<TimedEvent[]> {
  const out: TimedEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await events.list(destinationId, { limit: 100, ...(cursor === undefined ? {} : { cursor }) });
    out.push(...page.events);
    const oldest = page.events[page.events.length - 1];
    // One event before the window tells whether a run was open when it began.
    if (oldest === undefined || Date.parse(oldest.at) < from) break;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

export class RestreamingCostReporter implements CostReporter {
  constructor(private readonly deps: CostDependencies) {}

  async report(): Promise<CostReport> {
    const now = this.deps.clock.now();
    const from = monthStart(now);
    const destinations: Destination[] = await this.deps.destinations.listAll();
    const perDestination: { destination: Priced; runs: Run[] }[] = [];
    const queue = [...destinations];
    const worker = async (): Promise<void> => {
      for (let d = queue.shift(); d !== undefined; d = queue.shift()) {
        const history = await eventsSince(this.deps.events, d.id, from.getTime());
        perDestination.push({ destination: d, runs: runsFromEvents(history, from.getTime(), now.getTime(), isRunning(d)) });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.deps.concurrency ?? 8, Math.max(1, destinations.length)) }, worker));
    return {
      currency: 'USD',
      prices: this.deps.prices,
      overridden: [...this.deps.overridden],
      running: runningCost(destinations, this.deps.prices),
      month: monthCost(perDestination, this.deps.prices, from, now),
    };
  }
}
