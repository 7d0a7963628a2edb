/**
 * `npm start`: the whole product on one machine, no AWS account.
 *
 * One process: dynalite (a DynamoDB-API server) on loopback with its data under `.local/`, the
 * API Lambda handler behind a small HTTP server that plays API Gateway, the built admin UI, the
 * monitor on a timer, on every simulated IVS stream change and MediaLive channel state change
 * (as EventBridge triggers it in AWS) and on the in-process work queue (as SQS does: API intent,
 * look-agains, grace ends, with their delays), and the IVS + MediaLive simulator with its
 * `/_local/*` controls.
 *
 * Environment: PORT (8787; 0 = any free port), SIM_TIMESCALE (20), STOP_GRACE_SECONDS (20 here,
 * 120 in AWS), RECONCILE_INTERVAL_SECONDS (5), IVS_CHANNEL_ARNS (one local channel),
 * LOCAL_DATA_DIR (.local), LOG_LEVEL (info), LOCAL_MEDIA (real | simulated; `npm start` uses real
 * media when ffmpeg is installed), RTMP_PORT (1935, the first channel's RTMP ingest; 0 = any free),
 * ALERT_WEBHOOK_URL (a Slack/Discord webhook for failing/recovered alerts; a secret, never printed).
 *
 * Real media (scripts/local/media/): every local IVS channel gets an RTMP ingest on loopback that
 * OBS or ffmpeg can push to, served as HLS like IVS's playback URL; live and offline follow that
 * ingest, and the "Go live" switch pushes a generated test pattern.
 *
 * `startLocalStack` is also what the end-to-end tests start.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { execa } from 'execa';
import { z } from 'zod';
import { createApiLambda } from '../lambdas/api/handler';
import type { Log, Metrics } from '../lambdas/core/ports';
import {
  DESTINATION_EVENTS_TABLE_SUFFIX,
  DESTINATIONS_TABLE_SUFFIX,
  ensureTables,
  STREAM_STATE_TABLE_SUFFIX,
} from '../lambdas/adapters/dynamodb/tables';
import { sleep, systemClock } from '../lambdas/adapters/lambda/aws-dependencies';
import { DynamoDestinationRepository } from '../lambdas/adapters/dynamodb/destination-repository';
import { LocalStreamKeyCipher } from '../lambdas/adapters/local-stream-key-cipher';
import { createSimulatedDependencies } from '../lambdas/testing/simulated-dependencies';
import { isAcceptableWebhookUrl, WebhookAlertNotifier } from '../lambdas/adapters/alerts/webhook-alert-notifier';
import { AwsSimulator, type SimulatorTimings } from '../lambdas/testing/simulator';
import { MemoryWorkQueue } from '../lambdas/testing/memory-work-queue';
import { createMonitorHandler, type MonitorEvent, type MonitorSummary } from '../lambdas/monitor/handler';
import { BodyTooLargeError, MAX_SERVER_BODY_BYTES, readBody, sendJson, sendProxyResult, toApiGatewayEvent } from './local/api-gateway-http';
import { createLocalControls, type LocalControls } from './local/controls';
import { forgetSimulatedResources } from './local/forget-simulated-resources';
import { claimDataDir, DataDirInUseError, type DataDirLock } from './local/instance-lock';
import { createRequestGuard, guardServer, LOOPBACK_HOSTS, sendRefusal } from './local/request-guard';
import { createStaticSite } from './local/static-site';
import { createTerminalLog, LOG_LEVELS, type LogLevel } from './local/terminal-log';
import { IVS_CHANNEL_ARN } from '../lambdas/core/destination';
import { startLocalMedia, type LocalIngestView, type LocalMedia } from './local/media/local-media';
import { MediaLiveRelays } from './local/media/medialive-relays';
import { EcsRelays } from './local/media/ecs-relays';
import { telemetryOfFleets } from './local/media/relay-fleet';
import { EcsSimulator } from '../lambdas/testing/ecs-simulator';
import { ECS_TIMINGS } from '../lambdas/adapters/ecs/relay-engine';
import { findMediaTools, HOW_TO_GET_FFMPEG } from './local/media/tools';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The one simulated IVS channel when IVS_CHANNEL_ARNS is not set. */
export const LOCAL_CHANNEL_ARN = 'arn:aws:ivs:us-east-1:000000000000:channel/local';
export const DEFAULT_PORT = 8787;
export const DEFAULT_TIMESCALE = 20;
/** Locally 20 s instead of AWS's 120 s, so a test stream ends in reasonable time. */
export const DEFAULT_LOCAL_GRACE_SECONDS = 20;
export const DEFAULT_RECONCILE_INTERVAL_SECONDS = 5;
/** RTMP's registered port, what OBS assumes for rtmp:// without a port. */
export const DEFAULT_RTMP_PORT = 1935;
/** How long `stop()` lets running reconciles finish before it closes the database anyway. */
const STOP_WAIT_MS = 10_000;
/** One step of a simulated Fargate task's lifecycle (three steps from RunTask to RUNNING), before the timescale. */
const ECS_TICK_MS = 15_000;
/** How often the work queue and the simulator's MediaLive state changes are looked at. */
const PUMP_INTERVAL_MS = 200;

/** Options of {@link startLocalStack}; every field has a default. */
export interface LocalStackOptions {
  /** HTTP port; 0 picks a free one. Default 8787. */
  port?: number;
  /** Listen address. Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Where DynamoDB data and the stream-key encryption key live. Default `.local/` in the repository. */
  dataDir?: string;
  /** The built admin UI. Default `frontend/dist/` in the repository. */
  distDir?: string;
  /** Build the UI with `npm run build` when `distDir` has no index.html. Default true. */
  buildUiIfMissing?: boolean;
  /** Divides every simulated MediaLive timing (SIM_TIMESCALE). Default 20: a start takes 3 s. */
  timescale?: number;
  /** Simulated MediaLive timings before the timescale applies (defaults: MediaLive-like). */
  simulatorTimings?: Partial<SimulatorTimings>;
  /** The simulated MediaLive's channel and input quotas (default 100 each), e.g. to show the quota error. */
  mediaLiveQuotas?: { maxChannels?: number; maxInputs?: number };
  /** STOP_GRACE_SECONDS. Default 20. */
  graceSeconds?: number;
  /** IDLE_CHANNEL_TTL_SECONDS: a stopped channel is deleted after this long. Default 600, as in AWS. */
  idleTtlSeconds?: number;
  /** Seconds between scheduled reconciles (RECONCILE_INTERVAL_SECONDS). Default 5. */
  reconcileIntervalSeconds?: number;
  /** The simulated IVS channels (IVS_CHANNEL_ARNS). Default: LOCAL_CHANNEL_ARN. */
  channelArns?: readonly string[];
  /** Prefix of the table names and MediaLive tags. Default `local`. */
  projectName?: string;
  /** Where the handlers log. Default: the terminal log. */
  log?: Log;
  /** Lowest level the terminal log prints (LOG_LEVEL). Default info. Ignored with `log`. */
  logLevel?: LogLevel;
  /** Progress lines of the start-up (the UI build). Default: stdout. */
  print?: (line: string) => void;
  /**
   * Real media with ffmpeg (an RTMP ingest per channel, HLS, the test pattern) when ffmpeg is
   * installed; simulated media otherwise. Default false here; `npm start` turns it on (LOCAL_MEDIA).
   */
  realMedia?: boolean;
  /** The first channel's RTMP ingest port (RTMP_PORT); the next channels take the next ports. 0 = free ports. Default 1935. */
  rtmpPort?: number;
  /**
   * A Slack/Discord-compatible webhook that gets the failing/recovered alerts (ALERT_WEBHOOK_URL):
   * https, or http on loopback. A secret like a stream key: never logged or shown. Default: none.
   */
  alertWebhookUrl?: string;
}

/** Whether media is real, and how to push to it. */
export interface LocalMediaSettings {
  real: boolean;
  /** Why media is simulated (ffmpeg missing, or LOCAL_MEDIA=simulated), with what to do. */
  reason?: string;
  ingests: LocalIngestView[];
}

/** The effective settings, for the start-up text. */
export interface LocalStackSettings {
  timescale: number;
  graceSeconds: number;
  reconcileIntervalSeconds: number;
  channelArns: readonly string[];
  projectName: string;
  dataDir: string;
  distDir: string;
  /** False when the UI is not built: `/` shows how to build it. */
  uiBuilt: boolean;
  media: LocalMediaSettings;
}

export interface LocalStack {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  port: number;
  /** dynalite's endpoint. */
  dynamoDbEndpoint: string;
  tables: { destinations: string; streamState: string; events: string };
  settings: LocalStackSettings;
  simulator: AwsSimulator;
  controls: LocalControls;
  /** The ffmpeg ingests when media is real. */
  media: LocalMedia | undefined;
  /** The simulated ECS of the pass-through relays (tasks, task definitions, SSM parameters). */
  ecs: EcsSimulator;
  /** The ffmpeg relays behind the simulated MediaLive channels when media is real. */
  relays: MediaLiveRelays | undefined;
  /** The ffmpeg relays standing in for the running pass-through tasks when media is real. */
  passthroughRelays: EcsRelays | undefined;
  /** Runs a full reconcile now, as the schedule does. */
  reconcileNow(): Promise<MonitorSummary | undefined>;
  /** Resolves once `count` monitor runs that started after this call have finished. */
  waitForMonitorRuns(count: number, timeoutMs?: number): Promise<void>;
  /** Stops the timer, the HTTP server and dynalite. Safe to call twice. */
  stop(): Promise<void>;
}

/** A start-up problem the user can fix; printed without a stack trace. */
export class LocalStackError extends Error {
  override readonly name = 'LocalStackError';
}

const SCHEDULED_EVENT: MonitorEvent = { source: 'aws.events', 'detail-type': 'Scheduled Event', resources: [] };

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  SIM_TIMESCALE: z.coerce.number().positive().max(100_000).optional(),
  STOP_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).optional(),
  IDLE_CHANNEL_TTL_SECONDS: z.coerce.number().int().min(0).max(86_400).optional(),
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().min(0.1).max(3600).optional(),
  LOCAL_DATA_DIR: z.string().optional(),
  LOCAL_MEDIA: z.enum(['real', 'simulated']).optional(),
  RTMP_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  ALERT_WEBHOOK_URL: z.string().refine(isAcceptableWebhookUrl, 'must be an https URL (or http on 127.0.0.1/localhost)').optional(),
  LOG_LEVEL: z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }))
    .optional(),
  IVS_CHANNEL_ARNS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== ''),
    )
    .pipe(
      z
        .array(z.string().regex(IVS_CHANNEL_ARN, 'each entry must be an IVS channel ARN (arn:aws:ivs:<region>:<account>:channel/<id>)'))
        .min(1),
    )
    .optional(),
});

/** Reads PORT, SIM_TIMESCALE, STOP_GRACE_SECONDS, IDLE_CHANNEL_TTL_SECONDS, RECONCILE_INTERVAL_SECONDS, IVS_CHANNEL_ARNS, LOCAL_DATA_DIR, LOCAL_MEDIA, RTMP_PORT, ALERT_WEBHOOK_URL and LOG_LEVEL. */
export function localStackOptionsFromEnv(env: NodeJS.ProcessEnv): LocalStackOptions {
  const present = Object.fromEntries(
    Object.keys(envSchema.shape).flatMap((k) => {
      const value = env[k]?.trim();
      return value !== undefined && value !== '' ? [[k, value]] : [];
    }),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    // The webhook URL is a secret: its value is never quoted back.
    const problems = parsed.error.issues.map((i) =>
      i.path[0] === 'ALERT_WEBHOOK_URL'
        ? `ALERT_WEBHOOK_URL: ${i.message}`
        : `${i.path.join('.')}=${JSON.stringify(present[String(i.path[0])] ?? '')}: ${i.message}`,
    );
    throw new LocalStackError(`Invalid environment: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const options: LocalStackOptions = {};
  if (e.PORT !== undefined) options.port = e.PORT;
  if (e.SIM_TIMESCALE !== undefined) options.timescale = e.SIM_TIMESCALE;
  if (e.STOP_GRACE_SECONDS !== undefined) options.graceSeconds = e.STOP_GRACE_SECONDS;
  if (e.IDLE_CHANNEL_TTL_SECONDS !== undefined) options.idleTtlSeconds = e.IDLE_CHANNEL_TTL_SECONDS;
  if (e.RECONCILE_INTERVAL_SECONDS !== undefined) options.reconcileIntervalSeconds = e.RECONCILE_INTERVAL_SECONDS;
  if (e.IVS_CHANNEL_ARNS !== undefined) options.channelArns = e.IVS_CHANNEL_ARNS;
  if (e.LOCAL_DATA_DIR !== undefined) options.dataDir = e.LOCAL_DATA_DIR;
  if (e.LOCAL_MEDIA !== undefined) options.realMedia = e.LOCAL_MEDIA === 'real';
  if (e.RTMP_PORT !== undefined) options.rtmpPort = e.RTMP_PORT;
  if (e.ALERT_WEBHOOK_URL !== undefined) options.alertWebhookUrl = e.ALERT_WEBHOOK_URL;
  if (e.LOG_LEVEL !== undefined) options.logLevel = e.LOG_LEVEL;
  return options;
}

/** Reads the 32-byte stream-key encryption key, creating it (mode 0600) on the first start. */
async function loadOrCreateKey(path: string): Promise<Buffer> {
  try {
    await writeFile(path, randomBytes(32), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  await chmod(path, 0o600).catch(() => undefined);
  const key = await readFile(path);
  if (key.length !== 32) {
    throw new LocalStackError(
      `${path} must hold exactly 32 bytes (it has ${key.length}). Delete it and the stored destinations' keys, or restore it.`,
    );
  }
  return key;
}

/** Builds the UI when it is missing; false (with a message) when that fails. */
async function ensureUi(distDir: string, build: boolean, print: (line: string) => void): Promise<boolean> {
  if (existsSync(join(distDir, 'index.html'))) return true;
  const shown = relative(ROOT, distDir) || distDir;
  if (!build) {
    print(`The admin UI is not built (${shown}/index.html is missing): run "npm run build". The API works meanwhile.`);
    return false;
  }
  print(`Building the admin UI (${shown} is missing): npm run build …`);
  // `npm run build` is `vite build frontend`; the extra flags send the output to distDir.
  const result = await execa('npm', ['run', 'build', '--', '--outDir', distDir, '--emptyOutDir'], {
    cwd: ROOT,
    all: true,
    reject: false,
    stdin: 'ignore',
  });
  if (result.exitCode === 0 && existsSync(join(distDir, 'index.html'))) return true;
  print(
    String(result.all ?? '')
      .split('\n')
      .slice(-15)
      .join('\n'),
  );
  print(
    `Could not build the admin UI (npm run build exited with ${result.exitCode ?? result.shortMessage}). Serving the API without it; fix the build and restart.`,
  );
  return false;
}

async function startDynalite(path: string): Promise<{ server: Server; endpoint: string }> {
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  const { port } = server.address() as AddressInfo;
  // dynalite answers any origin with CORS: only the stack's own SDK client (no Origin) gets through.
  guardServer(server, createRequestGuard({ port, refuseAllOrigins: true, requireJsonBodies: false }));
  return { server, endpoint: `http://127.0.0.1:${port}` };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolvePromise) => {
    server.close(() => resolvePromise());
    server.closeAllConnections();
  });
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? new LocalStackError(`Port ${port} on ${host} is in use (another local stack?). Stop it, or start with PORT=<another port>.`)
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolvePromise((server.address() as AddressInfo).port);
    });
  });
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const log = options.log ?? createTerminalLog({ level: options.logLevel });
  const settings: LocalStackSettings = {
    timescale: options.timescale ?? DEFAULT_TIMESCALE,
    graceSeconds: options.graceSeconds ?? DEFAULT_LOCAL_GRACE_SECONDS,
    reconcileIntervalSeconds: options.reconcileIntervalSeconds ?? DEFAULT_RECONCILE_INTERVAL_SECONDS,
    channelArns: [...(options.channelArns ?? [LOCAL_CHANNEL_ARN])],
    projectName: options.projectName ?? 'local',
    dataDir: resolve(options.dataDir ?? join(ROOT, '.local')),
    distDir: resolve(options.distDir ?? join(ROOT, 'frontend', 'dist')),
    uiBuilt: false,
    media: { real: false, reason: 'real media is off; start with LOCAL_MEDIA=real (npm start turns it on)', ingests: [] },
  };
  const webhookUrl = options.alertWebhookUrl;
  if (webhookUrl !== undefined && !isAcceptableWebhookUrl(webhookUrl)) {
    throw new LocalStackError('ALERT_WEBHOOK_URL must be an https URL (or http on 127.0.0.1/localhost).');
  }
  const bad = settings.channelArns.filter((arn) => !IVS_CHANNEL_ARN.test(arn));
  if (bad.length > 0) throw new LocalStackError(`Not IVS channel ARNs: ${bad.join(', ')}`);
  const host = options.host ?? '127.0.0.1';
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw new LocalStackError(`The local stack listens on loopback only (127.0.0.1, localhost or ::1), not on ${host}: it has no login.`);
  }

  await mkdir(join(settings.dataDir, 'dynamodb'), { recursive: true });
  let lock: DataDirLock;
  try {
    lock = await claimDataDir(settings.dataDir);
  } catch (error) {
    if (error instanceof DataDirInUseError) throw new LocalStackError(error.message);
    throw error;
  }

  const cleanups: (() => Promise<void> | void)[] = [() => lock.release()];
  const cleanUp = async (): Promise<void> => {
    for (const step of cleanups.splice(0).reverse()) await step();
  };

  try {
    const key = await loadOrCreateKey(join(settings.dataDir, 'stream-key.key'));
    settings.uiBuilt = await ensureUi(settings.distDir, options.buildUiIfMissing ?? true, print);

    let db: { server: Server; endpoint: string };
    try {
      db = await startDynalite(join(settings.dataDir, 'dynamodb'));
    } catch (error) {
      throw new LocalStackError(
        `Could not open the local database in ${join(settings.dataDir, 'dynamodb')} (${error instanceof Error ? error.message : String(error)}). Is another local stack running on it?`,
      );
    }
    cleanups.push(() => closeServer(db.server));

    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: db.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 3,
    });
    cleanups.push(() => client.destroy());
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const tables = {
      destinations: settings.projectName + DESTINATIONS_TABLE_SUFFIX,
      streamState: settings.projectName + STREAM_STATE_TABLE_SUFFIX,
      events: settings.projectName + DESTINATION_EVENTS_TABLE_SUFFIX,
    };
    try {
      await ensureTables(client, tables, { maxWaitSeconds: 10 });
    } catch (error) {
      throw new LocalStackError(
        `Could not create the tables in the local database ${join(settings.dataDir, 'dynamodb')} (${error instanceof Error ? error.message : String(error)}). Is another local stack running on it?`,
      );
    }

    const simulator = new AwsSimulator({
      timescale: settings.timescale,
      timings: options.simulatorTimings,
      ...options.mediaLiveQuotas,
      projectName: settings.projectName,
      accountId: '000000000000',
      // Stream ids must differ from the previous run's: a destination paused for an old stream id
      // must not stay paused for a new stream.
      idSeed: randomBytes(4).readUInt32LE(0),
    });
    for (const arn of settings.channelArns) simulator.addIvsChannel(arn);

    await forgetSimulatedResources(new DynamoDestinationRepository(doc, tables.destinations), systemClock, log);

    const server = createServer();
    const port = await listen(server, options.port ?? DEFAULT_PORT, host);
    cleanups.push(() => closeServer(server));
    const url = `http://${host === '::1' ? '[::1]' : host}:${port}`;
    await lock.setUrl(url);
    // `vite dev` (port 5173) may call this API too; no other web page may.
    const viteDevOrigins = ['http://127.0.0.1:5173', 'http://localhost:5173'];
    const guard = createRequestGuard({ port, extraOrigins: viteDevOrigins });

    // ---- real media: an ffmpeg RTMP ingest per channel; live and offline follow it
    let media: LocalMedia | undefined;
    if (options.realMedia === true) {
      const tools = await findMediaTools();
      if ('missing' in tools) {
        settings.media = { real: false, reason: `${tools.missing}: ${HOW_TO_GET_FFMPEG}`, ingests: [] };
      } else {
        media = await startLocalMedia({
          tools,
          channelArns: settings.channelArns,
          dataDir: settings.dataDir,
          rtmpPort: options.rtmpPort ?? DEFAULT_RTMP_PORT,
          baseUrl: url,
          log,
          onLiveChange: (channelArn, live) => {
            void simulator.ivs.getStream(channelArn).then((stream) => {
              if (live && !stream) simulator.goLive(channelArn);
              if (!live && stream) simulator.goOffline(channelArn);
            });
          },
        }).catch((error: unknown) => {
          throw new LocalStackError(error instanceof Error ? error.message : String(error));
        });
        const started = media;
        cleanups.push(() => started.stop());
        // The simulated IVS hands out the local HLS as the channels' playback URL, and the local
        // ingest's server and key as the channels' encoder settings (GET /channels/{channelId}…).
        for (const ingest of media.views()) {
          simulator.addIvsChannel(ingest.channelArn, {
            playbackUrl: ingest.playbackUrl,
            ingestServer: ingest.server,
            streamKey: ingest.streamKey,
          });
          // GetStreamSession answers with what the real local ingest receives.
          const local = media.ingests.get(ingest.channelArn);
          simulator.setIngest(ingest.channelArn, () => local?.describeIngest());
        }
        settings.media = { real: true, ingests: media.views() };
      }
    }

    const metrics: Metrics & { flush(): void } = {
      destinationFailed: () => undefined,
      auxiliaryReadFailed: () => undefined,
      flush: () => undefined,
    };
    // The work queue (WORK_QUEUE_URL in AWS): in process, with SQS's delays.
    const queue = new MemoryWorkQueue(systemClock, { visibilityTimeoutMs: 10_000 });
    const cipher = new LocalStreamKeyCipher(key);

    // Pass-through relays: the simulated ECS runs the task lifecycle (one state per tick: a
    // Fargate task takes about 30-60 s to run, here divided by the timescale), and with real
    // media an ffmpeg copy stands in for each running task's container (EcsRelays below).
    const ecs = new EcsSimulator('us-east-1', '000000000000');
    const ecsTick = setInterval(() => ecs.tick(), Math.max(20, ECS_TICK_MS / settings.timescale));
    cleanups.push(() => clearInterval(ecsTick));
    const scaled = (ms: number): number => Math.max(1, Math.round(ms / settings.timescale));

    // ---- real media behind the simulated MediaLive and ECS: an ffmpeg relay per RUNNING channel
    // or task, whose progress is also what the monitor measures health from (GetMetricData in AWS).
    let relays: MediaLiveRelays | undefined;
    let passthroughRelays: EcsRelays | undefined;
    if (media) {
      passthroughRelays = new EcsRelays({ ecs, tools: media.tools, log });
      passthroughRelays.start();
      const startedCopies = passthroughRelays;
      cleanups.push(() => startedCopies.stop());
      relays = new MediaLiveRelays({
        simulator,
        destinations: new DynamoDestinationRepository(doc, tables.destinations),
        cipher,
        tools: media.tools,
        log,
      });
      relays.start();
      const started = relays;
      cleanups.push(() => started.stop());
    }

    const deps = createSimulatedDependencies({
      doc,
      tables,
      simulator,
      queue,
      cipher,
      clock: systemClock,
      log,
      metrics,
      sleep,
      projectName: settings.projectName,
      trackedChannelArns: settings.channelArns,
      graceSeconds: settings.graceSeconds,
      ...(options.idleTtlSeconds !== undefined ? { reconciler: { idleTtlSeconds: options.idleTtlSeconds } } : {}),
      // Pushing to a server on this machine (e.g. a local RTMP server) is what a laptop is for.
      allowPrivateRtmpTargets: true,
      ...(relays && passthroughRelays ? { telemetry: telemetryOfFleets(relays, passthroughRelays) } : {}),
      // Both modes, pass-through the default, as in a deployment with relays.
      ecs: {
        simulator: ecs,
        timings: {
          provisionMs: scaled(ECS_TIMINGS.provisionMs),
          startMs: scaled(ECS_TIMINGS.startMs),
          stopMs: scaled(ECS_TIMINGS.stopMs),
          deleteMs: scaled(ECS_TIMINGS.deleteMs),
        },
      },
      defaultMode: 'passthrough',
      // Same origin needs no CORS; these let `vite dev` (port 5173) call this API too.
      corsAllowOrigins: [...LOOPBACK_HOSTS.map((name) => `http://${name}:${port}`), ...viteDevOrigins],
      // No SNS here: the webhook (ALERT_WEBHOOK_URL) is the local alert channel.
      alertChannels: webhookUrl === undefined ? [] : [new WebhookAlertNotifier(async () => webhookUrl)],
    });
    const api = createApiLambda(deps);
    const monitor = createMonitorHandler(deps);

    // ---- the monitor: on a timer (never overlapping itself) and on every stream change
    let stopping = false;
    let sequence = 0;
    const inFlight = new Set<Promise<unknown>>();
    const finished: number[] = [];
    const waiters = new Set<() => void>();
    const runMonitor = (event: MonitorEvent | SQSEvent, reason: string): Promise<MonitorSummary | undefined> => {
      if (stopping) return Promise.resolve(undefined);
      const id = (sequence += 1);
      const context = { awsRequestId: `local-${reason}-${id}` };
      const invocation: Promise<unknown> = 'Records' in event ? monitor(event, context) : monitor(event, context);
      const run: Promise<MonitorSummary | undefined> = (invocation as Promise<MonitorSummary | undefined>)
        .catch((error: unknown) => {
          log.error('Monitor run failed; the next one retries', { reason, error: error instanceof Error ? error.message : String(error) });
          return undefined;
        })
        .finally(() => {
          inFlight.delete(run);
          finished.push(id);
          for (const wake of [...waiters]) wake();
        });
      inFlight.add(run);
      return run;
    };
    let timerRunBusy = false;
    const onTick = (): void => {
      if (timerRunBusy) return;
      timerRunBusy = true;
      void runMonitor(SCHEDULED_EVENT, 'schedule').finally(() => {
        timerRunBusy = false;
      });
    };
    const timer = setInterval(onTick, settings.reconcileIntervalSeconds * 1000);
    // The work queue's consumer (SQS → Lambda in AWS) and MediaLive's events (EventBridge).
    let pumping = false;
    const pump = setInterval(() => {
      simulator.pollStateChanges();
      if (pumping) return;
      pumping = true;
      void queue
        .deliverDue(async (event) => {
          const response = (await runMonitor(event, 'queue')) as unknown as SQSBatchResponse | undefined;
          // A run that failed as a whole: every message comes back after the visibility timeout.
          return response ?? { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
        })
        .finally(() => {
          pumping = false;
        });
    }, PUMP_INTERVAL_MS);
    const unsubscribeMediaLive = simulator.onChannelStateChange((event) => {
      void runMonitor(event, 'medialive-event');
    });
    // ECS's task state rule: a relay task that reaches RUNNING or STOPPED is reconciled at once.
    // EventBridge delivers after the call that caused the change has returned; so does this.
    const unsubscribeEcs = ecs.onTaskStateChange((event) => {
      setImmediate(() => void runMonitor(event, 'ecs-event'));
    });
    // IVS's event rule: a run per stream change. The local controls wait for these runs.
    const eventRuns = new Set<Promise<unknown>>();
    const unsubscribe = simulator.onStreamStateChange((event) => {
      const run = runMonitor(event, 'ivs-event');
      eventRuns.add(run);
      void run.finally(() => eventRuns.delete(run));
    });
    cleanups.push(async () => {
      stopping = true;
      clearInterval(timer);
      clearInterval(pump);
      unsubscribe();
      unsubscribeMediaLive();
      unsubscribeEcs();
      // Let running reconciles finish (they are short at any timescale), but not forever.
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((resolvePromise) => {
          timeout = setTimeout(resolvePromise, STOP_WAIT_MS);
        }),
      ]);
      clearTimeout(timeout);
    });

    // ---- HTTP
    const controls = createLocalControls(simulator, settings.channelArns, () => Promise.all([...eventRuns]), media);
    const site = createStaticSite(settings.distDir);
    const runtimeConfig = {
      apiUrl: '',
      auth: null,
      localMode: true,
      channels: settings.channelArns,
      localMedia: { real: settings.media.real, reason: settings.media.reason ?? null, ingests: settings.media.ingests },
      relayModes: { offered: deps.relayModes.offered, default: deps.relayModes.defaultMode },
    };

    const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const refusal = guard(req);
      if (refusal !== undefined) return sendRefusal(res, refusal);
      const method = (req.method ?? 'GET').toUpperCase();
      const pathname = (req.url ?? '/').split('?')[0] || '/';
      const segments = pathname.split('/').filter((s) => s !== '');
      if (segments[0] === '_local' && segments[1] === 'hls' && media && (method === 'GET' || method === 'HEAD'))
        return media.serveHls(req, res, segments.slice(2));
      if (pathname === '/_local/relays' && method === 'GET')
        return sendJson(req, res, 200, { relays: [...(relays?.views() ?? []), ...(passthroughRelays?.views() ?? [])] });
      if (segments[0] === '_local') return controls.handle(req, res, segments.slice(1));
      const isApi =
        segments[0] === 'stream-destinations' ||
        segments[0] === 'stream-status' ||
        segments[0] === 'channels' ||
        pathname === '/costs' ||
        pathname === '/openapi.json';
      if (!isApi && (method === 'GET' || method === 'HEAD')) {
        if (pathname === '/config.json') return sendJson(req, res, 200, runtimeConfig, { 'cache-control': 'no-cache' });
        return site.serve(req, res, pathname);
      }
      let body: Buffer;
      try {
        body = await readBody(req, MAX_SERVER_BODY_BYTES);
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        const message = `Request body is larger than ${MAX_SERVER_BODY_BYTES / 1024 / 1024} MiB; the server refused it before the API saw it.`;
        return sendJson(req, res, 413, { error: { code: 'PAYLOAD_TOO_LARGE', message, details: null } }, { connection: 'close' });
      }
      const event = toApiGatewayEvent(req, body);
      const result = await api(event, { awsRequestId: event.requestContext.requestId });
      sendProxyResult(req, res, result);
    };

    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      handle(req, res).catch((error: unknown) => {
        log.error('Local server error', {
          method: req.method,
          path: (req.url ?? '').split('?')[0],
          error: error instanceof Error ? error.message : String(error),
        });
        if (!res.headersSent)
          sendJson(req, res, 500, { error: { code: 'INTERNAL', message: 'The local server failed; see its terminal.', details: null } });
        else res.destroy();
      });
    });

    // A first reconcile before anyone looks: after a restart it records that the stream is offline
    // and no destination runs (the statuses on disk are the previous run's).
    timerRunBusy = true;
    await runMonitor(SCHEDULED_EVENT, 'startup').finally(() => {
      timerRunBusy = false;
    });

    let stopped: Promise<void> | undefined;
    return {
      url,
      port,
      dynamoDbEndpoint: db.endpoint,
      tables,
      settings,
      simulator,
      controls,
      media,
      ecs,
      relays,
      passthroughRelays,
      reconcileNow: () => runMonitor(SCHEDULED_EVENT, 'manual'),
      waitForMonitorRuns(count, timeoutMs = 30_000) {
        const after = sequence;
        const done = (): boolean => finished.filter((id) => id > after).length >= count;
        if (done()) return Promise.resolve();
        return new Promise((resolvePromise, reject) => {
          const timeout = setTimeout(() => {
            waiters.delete(check);
            reject(new Error(`${count} monitor runs did not finish within ${timeoutMs} ms`));
          }, timeoutMs);
          const check = (): void => {
            if (!done()) return;
            clearTimeout(timeout);
            waiters.delete(check);
            resolvePromise();
          };
          waiters.add(check);
        });
      },
      stop() {
        stopped ??= cleanUp();
        return stopped;
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** What `npm start` prints once everything is up. */
export function describeLocalStack(stack: Pick<LocalStack, 'url' | 'dynamoDbEndpoint' | 'settings'>): string {
  const s = stack.settings;
  const shown = (path: string): string => relative(process.cwd(), path) || '.';
  const startSeconds = Math.round((60 / s.timescale) * 10) / 10;
  const oneChannel = s.channelArns.length === 1;
  const lines = [
    '',
    'IVS Restreaming — local stack (simulated IVS and MediaLive; nothing is sent anywhere)',
    '',
    `  Admin UI      ${stack.url}/${s.uiBuilt ? '' : '   (not built: run "npm run build", then reload)'}`,
    `  API           ${stack.url}/stream-destinations   ${stack.url}/stream-status`,
    `  Controls      POST ${stack.url}/_local/ivs/live | /_local/ivs/offline   GET ${stack.url}/_local/medialive/channels`,
    `  DynamoDB      ${stack.dynamoDbEndpoint} (dynalite; data in ${shown(join(s.dataDir, 'dynamodb'))})`,
    `  IVS channel${oneChannel ? '   ' : 's  '}${s.channelArns.join(', ')}`,
    ...(s.media.real
      ? s.media.ingests.flatMap((ingest) => [
          `  RTMP ingest   ${ingest.server}   stream key ${ingest.streamKey}${oneChannel ? '' : `   (${ingest.channelArn})`}`,
          `  HLS playback  ${ingest.playbackUrl}`,
        ])
      : [`  Media         simulated (${s.media.reason ?? 'real media off'})`]),
    '',
    `  SIM_TIMESCALE=${s.timescale}  MediaLive runs ${s.timescale}× faster than in AWS (a channel starts in about ${startSeconds} s)`,
    `  STOP_GRACE_SECONDS=${s.graceSeconds}  destinations stop ${s.graceSeconds} s after the stream ends (local default 20; 120 in AWS)`,
    `  RECONCILE_INTERVAL_SECONDS=${s.reconcileIntervalSeconds}  the monitor's schedule (1 minute in AWS), plus a run on every stream`,
    '    and MediaLive state change and on the in-process work queue (API changes, look-agains, grace ends)',
    '',
    'Next:',
    `  1. Open ${stack.url}/ and add a destination (any stream key will do).`,
    s.media.real
      ? `  2. Push with OBS or ffmpeg to the RTMP ingest above, or switch "Go live" in the banner (a test pattern), or: curl -X POST ${stack.url}/_local/ivs/live`
      : `  2. Switch "Go live" in the local-mode banner, or: curl -X POST ${stack.url}/_local/ivs/live`,
    `  3. Watch the destination go starting → active; curl ${stack.url}/_local/medialive/channels shows the simulated channel.`,
    '',
    `Destinations are kept in ${shown(s.dataDir)}/ across restarts. IVS and MediaLive are simulated in memory:`,
    'after a restart the stream is offline and the MediaLive channels are gone; destinations forget them and',
    'get new ones on the next go-live. Ctrl-C stops everything.',
    '',
  ];
  return lines.join('\n');
}

/**
 * What Ctrl-C does: stop the stack and exit 0, or 1 when it cannot stop cleanly. One Ctrl-C in a
 * terminal reaches the stack more than once (the terminal signals every process of its foreground
 * group, and npm forwards the signal to its script as well): a signal within a second of the first
 * is that same Ctrl-C; a later one asks to exit without waiting (130).
 */
export function shutdownOnSignal(io: {
  stop: () => Promise<void>;
  now: () => number;
  print: (line: string) => void;
  printError: (line: string) => void;
  exit: (code: number) => void;
  setExitCode: (code: number) => void;
}): (signal: string) => void {
  let stoppingSince: number | undefined;
  return (signal) => {
    if (stoppingSince !== undefined) {
      if (io.now() - stoppingSince < 1_000) return;
      io.printError(`${signal} again: exiting without waiting.`);
      io.exit(130);
      return;
    }
    stoppingSince = io.now();
    io.print(`\n${signal}: stopping the local stack …`);
    io.stop().then(
      () => {
        io.print('Stopped.');
        io.setExitCode(0);
        // Everything is closed; should a stray handle keep the process, do not hang the terminal.
        setTimeout(() => io.exit(0), 2_000).unref();
      },
      (error: unknown) => {
        io.printError(`Could not stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
        io.exit(1);
      },
    );
  };
}

async function main(): Promise<void> {
  let options: LocalStackOptions;
  try {
    options = localStackOptionsFromEnv(process.env);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
    return;
  }
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ realMedia: true, ...options });
  } catch (error) {
    console.error(error instanceof LocalStackError ? error.message : error);
    process.exitCode = 1;
    return;
  }
  console.log(describeLocalStack(stack));

  const shutdown = shutdownOnSignal({
    stop: () => stack.stop(),
    now: () => Date.now(),
    print: (line) => console.log(line),
    printError: (line) => console.error(line),
    exit: (code) => process.exit(code),
    setExitCode: (code) => (process.exitCode = code),
  });
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main();
}
