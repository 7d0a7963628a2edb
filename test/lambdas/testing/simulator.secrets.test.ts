import { inspect } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { AwsSimulator, ManualClock } from '../../../lambdas/testing';
import { channelSpec } from '../../support/channel-spec';

const KEY = 'live-key-SECRET-7f3a-91bc';

describe('AwsSimulator stream key handling', () => {
  async function withChannel() {
    const sim = new AwsSimulator({ clock: new ManualClock() });
    const spec = channelSpec({ streamKey: KEY });
    const { inputId } = await sim.medialive.createInput(spec);
    const channel = await sim.medialive.createChannel(spec, inputId);
    return { sim, spec, inputId, channel };
  }

  it('never shows the key in JSON, util.inspect or toString of the simulator', async () => {
    const { sim } = await withChannel();
    const shown = [JSON.stringify(sim), inspect(sim, { depth: Infinity, showHidden: true }), String(sim)];
    for (const text of shown) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain('SECRET');
    }
    expect(inspect(sim)).toContain('AwsSimulator');
  });

  it('never shows the key in channel snapshots or API answers', async () => {
    const { sim, channel } = await withChannel();
    const answers = [
      sim.channels(),
      sim.stats(),
      await sim.medialive.listChannels(),
      await sim.medialive.describeChannel(channel.id),
      channel,
    ];
    expect(JSON.stringify(answers)).not.toContain('SECRET');
  });

  it('never puts the key in an error message, also on an idempotency mismatch', async () => {
    const { sim, spec, inputId } = await withChannel();
    const messages: string[] = [];
    for (const attempt of [
      () => sim.medialive.createChannel({ ...spec, streamKey: `${KEY}-changed` }, inputId),
      () => sim.medialive.createChannel({ ...spec, requestId: 'r2', rtmpUrl: 'ftp://nope' }, inputId),
    ]) {
      await attempt().catch((error: Error) => messages.push(`${error.message} ${inspect(error)}`));
    }
    expect(messages).toHaveLength(2);
    for (const message of messages) expect(message).not.toContain('SECRET');
  });

  it('recognises the key a channel was built with', async () => {
    const { sim, channel } = await withChannel();
    expect(sim.streamKeyMatches(channel.id, KEY)).toBe(true);
    expect(sim.streamKeyMatches(channel.id, 'other')).toBe(false);
    expect(sim.streamKeyMatches('unknown', KEY)).toBe(false);
  });
});
