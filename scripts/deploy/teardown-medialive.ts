/**
 * Stops and deletes every MediaLive channel and input tagged `ivs-restreaming:project = <project>`
 * (the tag the API and monitor Lambdas put on everything they create:
 * lambdas/adapters/medialive/requests.ts, resourceTags).
 *
 * MediaLive's rules, from its API reference and user guide
 * (https://docs.aws.amazon.com/medialive/latest/apireference/channels-channelid.html,
 *  https://docs.aws.amazon.com/medialive/latest/ug/delete-multiplex-program.html):
 *   - a channel is deleted only when it is not running: RUNNING (or RECOVERING) → StopChannel →
 *     STOPPING → IDLE → DeleteChannel → DELETING → DELETED; a start in progress (STARTING) is
 *     waited for, then stopped;
 *   - an input is deleted only when no channel uses it (ATTACHED → DETACHED once its channel is
 *     deleted) → DeleteInput → DELETING → DELETED.
 * ListChannels and ListInputs return the tags, so one paginated listing of each finds everything.
 *
 * The work goes round by round until nothing of the project is left or the time is up: each round
 * describes what remains and does the one step its state allows. A resource whose step fails for
 * a reason other than its state (access denied, ...) is reported as a leftover, not retried.
 */
import {
  DeleteChannelCommand,
  DeleteInputCommand,
  DescribeChannelCommand,
  DescribeInputCommand,
  paginateListChannels,
  paginateListInputs,
  StopChannelCommand,
  type MediaLiveClient,
} from '@aws-sdk/client-medialive';
import { TAG_PROJECT } from '../../lambdas/core/ports';
import type { Leftover, TeardownEngine, TeardownReport } from './teardown';

export interface WaitOptions {
  /** Give up waiting after this long (default 20 minutes: a stop takes a minute or two). */
  timeoutMs?: number;
  /** Pause between rounds (default 10 s). */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface MediaLiveTeardownOptions extends WaitOptions {
  projectName: string;
  medialive: MediaLiveClient;
}

export const DEFAULT_TEARDOWN_TIMEOUT_MS = 20 * 60_000;
export const DEFAULT_TEARDOWN_POLL_MS = 10_000;

/** States in which a channel can be deleted at once. */
const DELETABLE = new Set(['IDLE', 'CREATE_FAILED', 'UPDATE_FAILED']);
/** States in which a channel runs (and bills) and is stopped. */
const STOPPABLE = new Set(['RUNNING', 'RECOVERING']);

interface Tracked {
  id: string;
  label: string;
  state: string;
  /** Set when a step failed for a reason waiting will not fix. */
  failure?: string;
  done: boolean;
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : '');
const errorText = (error: unknown): string => (error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error));
const isNotFound = (error: unknown): boolean => errorName(error) === 'NotFoundException';
/** The resource is in a state that does not allow the step yet: wait and try again. */
const isRetryable = (error: unknown): boolean =>
  [
    'ConflictException',
    'TooManyRequestsException',
    'ThrottlingException',
    'InternalServerErrorException',
    'GatewayTimeoutException',
  ].includes(errorName(error));

export function mediaLiveTeardown(options: MediaLiveTeardownOptions): TeardownEngine {
  const { medialive, projectName } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TEARDOWN_TIMEOUT_MS;
  const pollMs = options.pollMs ?? DEFAULT_TEARDOWN_POLL_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;

  return {
    name: 'MediaLive',
    async teardown(progress): Promise<TeardownReport> {
      const channels: Tracked[] = [];
      for await (const page of paginateListChannels({ client: medialive }, {})) {
        for (const c of page.Channels ?? []) {
          if (c.Tags?.[TAG_PROJECT] !== projectName || !c.Id || c.State === 'DELETED') continue;
          channels.push({
            id: c.Id,
            label: `MediaLive channel ${c.Id}${c.Name ? ` (${c.Name})` : ''}`,
            state: c.State ?? 'UNKNOWN',
            done: false,
          });
        }
      }
      const inputs: Tracked[] = [];
      for await (const page of paginateListInputs({ client: medialive }, {})) {
        for (const i of page.Inputs ?? []) {
          if (i.Tags?.[TAG_PROJECT] !== projectName || !i.Id || i.State === 'DELETED') continue;
          inputs.push({
            id: i.Id,
            label: `MediaLive input ${i.Id}${i.Name ? ` (${i.Name})` : ''}`,
            state: i.State ?? 'UNKNOWN',
            done: false,
          });
        }
      }
      if (channels.length === 0 && inputs.length === 0) {
        progress(`nothing tagged ${TAG_PROJECT}=${projectName}`);
        return { removed: [], leftovers: [] };
      }
      progress(`${channels.length} channel(s) and ${inputs.length} input(s) to remove`);

      const stepChannel = async (c: Tracked): Promise<void> => {
        try {
          const described = await medialive.send(new DescribeChannelCommand({ ChannelId: c.id }));
          c.state = described.State ?? 'UNKNOWN';
          if (c.state === 'DELETED') c.done = true;
          else if (STOPPABLE.has(c.state)) {
            await medialive.send(new StopChannelCommand({ ChannelId: c.id }));
            c.state = 'STOPPING';
          } else if (DELETABLE.has(c.state)) {
            await medialive.send(new DeleteChannelCommand({ ChannelId: c.id }));
            c.state = 'DELETING';
          }
        } catch (error) {
          if (isNotFound(error)) c.done = true;
          else if (!isRetryable(error)) c.failure = errorText(error);
        }
      };
      const stepInput = async (i: Tracked): Promise<void> => {
        try {
          const described = await medialive.send(new DescribeInputCommand({ InputId: i.id }));
          i.state = described.State ?? 'UNKNOWN';
          if (i.state === 'DELETED') i.done = true;
          else if (i.state === 'DETACHED') {
            await medialive.send(new DeleteInputCommand({ InputId: i.id }));
            i.state = 'DELETING';
          }
        } catch (error) {
          if (isNotFound(error)) i.done = true;
          else if (!isRetryable(error)) i.failure = errorText(error);
        }
      };

      const pending = (list: Tracked[]) => list.filter((t) => !t.done && t.failure === undefined);
      const deadline = now() + timeoutMs;
      for (;;) {
        for (const c of pending(channels)) await stepChannel(c);
        for (const i of pending(inputs)) await stepInput(i);
        const left = [...pending(channels), ...pending(inputs)];
        if (left.length === 0) break;
        const counts = new Map<string, number>();
        for (const t of left) {
          const key = `${channels.includes(t) ? 'channel' : 'input'} ${t.state}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        const waited = Math.round((timeoutMs - (deadline - now())) / 1000);
        progress(`waiting (${waited} s): ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`);
        if (now() + pollMs > deadline) break;
        await sleep(pollMs);
      }

      const all = [...channels, ...inputs];
      const leftovers: Leftover[] = all
        .filter((t) => !t.done)
        .map((t) => ({
          resource: t.label,
          reason:
            t.failure ??
            `still ${t.state} after ${Math.round(timeoutMs / 60_000)} min; run the same command again, or remove it in the MediaLive console`,
        }));
      const removed = all.filter((t) => t.done).map((t) => t.label);
      progress(`${removed.length} removed${leftovers.length > 0 ? `, ${leftovers.length} left` : ''}`);
      return { removed, leftovers };
    },
  };
}
