/**
 * The relays' figures from CloudWatch, for every running relay of a reconcile in one batched
 * `GetMetricData` request (more only beyond 500 queries: "A single GetMetricData call can include
 * as many as 500 MetricDataQuery structures",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html).
 *
 * - **MediaLive** channels publish their own metrics in `AWS/MediaLive`, every second (all of them
 *   high resolution: https://docs.aws.amazon.com/medialive/latest/ug/eml-metrics-gen-info.html):
 *   `ActiveOutputs` (dimensions OutputGroupName, ChannelId, Pipeline; Minimum — 0 means no output
 *   is written to its destination, https://docs.aws.amazon.com/medialive/latest/ug/eml-metrics-output-metrics.html),
 *   `ActiveAlerts` and `NetworkOut` (ChannelId, Pipeline; NetworkOut in megabits per second,
 *   https://docs.aws.amazon.com/medialive/latest/ug/eml-metrics-global.html). A SINGLE_PIPELINE
 *   channel reports pipeline `0`.
 * - **Fargate relays** print embedded-metric-format lines (`ecs/requests.ts`), which CloudWatch
 *   Logs turns into metrics in {@link RELAY_METRICS_NAMESPACE} with dimensions Project and
 *   DestinationId: `BitrateKbps`, `Frames`, and one count per way a run ended (`PublishRefused`,
 *   `HostUnreachable`, `ConnectionDropped`, `SourceFailures`).
 *
 * Figures come 10-second periods over the last {@link WINDOW_SECONDS}; a relay without a single
 * datapoint is left out (the health rule then says it has no figures).
 */
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { RelayFailureKind, RelayTelemetry } from '../../core/health';
import type { RelayTelemetrySource, TelemetryTarget } from '../../core/ports';
import { REFERENCE_NAMES } from '../medialive/requests';

/** The namespace of the relay tasks' embedded metrics. */
export const RELAY_METRICS_NAMESPACE = 'IvsRestreaming/Relays';
/** GetMetricData's limit of queries per request (API reference above). */
export const MAX_QUERIES_PER_REQUEST = 500;
export const PERIOD_SECONDS = 10;
export const WINDOW_SECONDS = 180;
/**
 * How far metrics may trail the present: a period is reported once it is complete, and embedded
 * metrics are extracted from the log events as they arrive. Media older than the health rule's
 * freshness plus this still counts as flowing.
 */
export const METRICS_LAG_MS = 30_000;

/** The relay task's metric counting runs that ended each way (`ecs/requests.ts` prints them). */
export const FAILURE_METRICS: Record<Exclude<RelayFailureKind, 'other'>, string> = {
  refused: 'PublishRefused',
  unreachable: 'HostUnreachable',
  dropped: 'ConnectionDropped',
  source: 'SourceFailures',
};

export type CloudWatchSend = Pick<CloudWatchClient, 'send'>;

interface Query {
  target: TelemetryTarget;
  field: string;
  query: MetricDataQuery;
}

function stat(id: string, namespace: string, metricName: string, dimensions: Record<string, string>, statistic: string): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: namespace,
        MetricName: metricName,
        Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: PERIOD_SECONDS,
      Stat: statistic,
    },
    ReturnData: true,
  };
}

/** The queries of one relay; ids are `r{index}_{field}` (they must start with a lower-case letter). */
export function queriesFor(target: TelemetryTarget, index: number, projectName: string): Query[] {
  const id = (field: string) => `r${index}_${field}`;
  if (target.engine === 'medialive') {
    const channel = { ChannelId: target.relayId, Pipeline: '0' };
    return [
      {
        field: 'outputs',
        query: stat(
          id('outputs'),
          'AWS/MediaLive',
          'ActiveOutputs',
          { OutputGroupName: REFERENCE_NAMES.outputGroup, ...channel },
          'Minimum',
        ),
      },
      { field: 'alerts', query: stat(id('alerts'), 'AWS/MediaLive', 'ActiveAlerts', channel, 'Maximum') },
      { field: 'networkOut', query: stat(id('networkOut'), 'AWS/MediaLive', 'NetworkOut', channel, 'Average') },
    ].map((q) => ({ target, ...q }));
  }
  const dims = { Project: projectName, DestinationId: target.destinationId };
  return [
    { field: 'bitrate', query: stat(id('bitrate'), RELAY_METRICS_NAMESPACE, 'BitrateKbps', dims, 'Average') },
    { field: 'frames', query: stat(id('frames'), RELAY_METRICS_NAMESPACE, 'Frames', dims, 'Sum') },
    ...Object.entries(FAILURE_METRICS).map(([kind, metric]) => ({
      field: `failure_${kind}`,
      query: stat(id(`failure_${kind}`), RELAY_METRICS_NAMESPACE, metric, dims, 'Sum'),
    })),
  ].map((q) => ({ target, ...q }));
}

/** One series, newest first: [timestamp ms, value]. */
type Series = [number, number][];

function seriesOf(result: MetricDataResult | undefined): Series {
  const times = result?.Timestamps ?? [];
  const values = result?.Values ?? [];
  return times.map((t, i): [number, number] => [new Date(t).getTime(), values[i] ?? 0]).sort((a, b) => b[0] - a[0]);
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The end of the period that starts at `ms` (media was written during it), never after now. */
function periodEnd(ms: number, now: Date): string {
  return iso(Math.min(ms + PERIOD_SECONDS * 1000, now.getTime()));
}

/** The telemetry of one relay from its series; undefined when CloudWatch had nothing for it. */
export function telemetryFrom(target: TelemetryTarget, series: ReadonlyMap<string, Series>, now: Date): RelayTelemetry | undefined {
  const all = [...series.values()];
  if (all.every((s) => s.length === 0)) return undefined;
  const telemetry: RelayTelemetry = { observedAt: now.toISOString(), lagMs: METRICS_LAG_MS };
  if (target.engine === 'medialive') {
    const writing = (series.get('outputs') ?? []).find(([, v]) => v >= 1);
    if (writing) telemetry.lastMediaAt = periodEnd(writing[0], now);
    const out = series.get('networkOut')?.[0];
    if (out && writing) telemetry.bitrateKbps = out[1] * 1000;
    const alerts = series.get('alerts')?.[0];
    if (alerts) telemetry.activeAlerts = alerts[1];
    return telemetry;
  }
  const media = (series.get('frames') ?? []).find(([, v]) => v > 0);
  if (media) telemetry.lastMediaAt = periodEnd(media[0], now);
  const bitrate = series.get('bitrate')?.[0];
  if (bitrate && media && bitrate[0] >= media[0]) telemetry.bitrateKbps = bitrate[1];
  let failure: { kind: RelayFailureKind; at: number } | undefined;
  for (const kind of Object.keys(FAILURE_METRICS) as (keyof typeof FAILURE_METRICS)[]) {
    const last = (series.get(`failure_${kind}`) ?? []).find(([, v]) => v > 0);
    if (last && (!failure || last[0] > failure.at)) failure = { kind, at: last[0] };
  }
  if (failure) telemetry.failure = { kind: failure.kind, at: periodEnd(failure.at, now) };
  return telemetry;
}

export class CloudWatchRelayTelemetry implements RelayTelemetrySource {
  constructor(
    private readonly cloudwatch: CloudWatchSend,
    private readonly projectName: string,
  ) {}

  async read(targets: readonly TelemetryTarget[], now: Date): Promise<Map<string, RelayTelemetry>> {
    const queries = targets.flatMap((t, i) => queriesFor(t, i, this.projectName));
    const results = new Map<string, MetricDataResult>();
    // Periods are aligned to the minute so that CloudWatch answers whole 10-second buckets.
    const end = new Date(Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) * PERIOD_SECONDS * 1000 + PERIOD_SECONDS * 1000);
    const start = new Date(end.getTime() - WINDOW_SECONDS * 1000);
    for (let i = 0; i < queries.length; i += MAX_QUERIES_PER_REQUEST) {
      const batch = queries.slice(i, i + MAX_QUERIES_PER_REQUEST);
      let nextToken: string | undefined;
      do {
        const page = await this.cloudwatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: batch.map((q) => q.query),
            StartTime: start,
            EndTime: end,
            ScanBy: 'TimestampDescending',
            NextToken: nextToken,
          }),
        );
        for (const r of page.MetricDataResults ?? []) {
          if (!r.Id) continue;
          const known = results.get(r.Id);
          results.set(
            r.Id,
            known
              ? {
                  ...r,
                  Timestamps: [...(known.Timestamps ?? []), ...(r.Timestamps ?? [])],
                  Values: [...(known.Values ?? []), ...(r.Values ?? [])],
                }
              : r,
          );
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    const figures = new Map<string, RelayTelemetry>();
    for (const target of targets) {
      const series = new Map(
        queries.filter((q) => q.target === target).map((q) => [q.field, seriesOf(results.get(q.query.Id as string))] as const),
      );
      const telemetry = telemetryFrom(target, series, now);
      if (telemetry) figures.set(target.relayId, telemetry);
    }
    return figures;
  }
}
