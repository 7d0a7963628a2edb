/**
 * The health rule, case by case: what the data plane reports turns into a state and a message
 * that says what to check, and `since` moves only when the state does.
 */
import { describe, expect, it } from '@jest/globals';
import {
  applyRelayAlert,
  assessHealth,
  MAX_RELAY_ALERTS,
  FRESH_MEDIA_MS,
  healthChanged,
  initialHealth,
  NO_MEDIA_FAILING_MS,
  nextHealth,
  RECENT_FAILURE_MS,
  type HealthInput,
  type RelayTelemetry,
} from '../../../lambdas/core/health';

const NOW = new Date('2030-01-01T12:00:00.000Z');
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();

function input(telemetry: RelayTelemetry | undefined, overrides: Partial<HealthInput> = {}): HealthInput {
  return { status: 'active', statusSince: ago(120_000), telemetry, alerts: [], now: NOW, ...overrides };
}

describe('assessHealth', () => {
  it('is ok with the measured bit rate while media flows', () => {
    expect(assessHealth(input({ observedAt: NOW.toISOString(), bitrateKbps: 2012.4, lastMediaAt: ago(1_000) }))).toEqual({
      state: 'ok',
      bitrateKbps: 2012,
      message: 'Sending to the platform.',
    });
  });

  it('fails at once with "refused the stream" when the platform closed the connection on publish', () => {
    const h = assessHealth(
      input({ observedAt: NOW.toISOString(), failure: { kind: 'refused', at: ago(2_000) } }, { statusSince: ago(5_000) }),
    );
    expect(h.state).toBe('failing');
    expect(h.message).toMatch(/refused the stream.*Check the stream key/);
  });

  it('fails with "cannot reach the RTMP host" once media is stale after a drop and the host refuses connections', () => {
    const telemetry = {
      observedAt: NOW.toISOString(),
      lastMediaAt: ago(FRESH_MEDIA_MS + 1_000),
      failure: { kind: 'unreachable' as const, at: ago(3_000) },
    };
    const h = assessHealth(input(telemetry));
    expect(h).toMatchObject({ state: 'failing', bitrateKbps: null });
    expect(h.message).toMatch(/Cannot reach the RTMP host/);
  });

  it('is degraded, not failing, while media flows again after a recent drop', () => {
    const telemetry = {
      observedAt: NOW.toISOString(),
      bitrateKbps: 1800,
      lastMediaAt: ago(500),
      failure: { kind: 'dropped' as const, at: ago(10_000) },
    };
    expect(assessHealth(input(telemetry))).toMatchObject({ state: 'degraded', bitrateKbps: 1800 });
    const old = { ...telemetry, failure: { kind: 'dropped' as const, at: ago(RECENT_FAILURE_MS + 1_000) } };
    expect(assessHealth(input(old)).state).toBe('ok');
  });

  it('does not call a drop failing before media has been missing for the no-media limit', () => {
    const telemetry = {
      observedAt: NOW.toISOString(),
      lastMediaAt: ago(FRESH_MEDIA_MS + 1_000),
      failure: { kind: 'dropped' as const, at: ago(FRESH_MEDIA_MS) },
    };
    expect(assessHealth(input(telemetry)).state).toBe('unknown');
    const long = { ...telemetry, lastMediaAt: ago(NO_MEDIA_FAILING_MS + 1_000) };
    const h = assessHealth(input(long));
    expect(h.state).toBe('failing');
    expect(h.message).toMatch(/^No media sent for more than 30 s\./);
  });

  it('keeps the same message while media stays missing, so a failing destination is not rewritten on every pass', () => {
    const later = new Date(NOW.getTime() + 45_000);
    const telemetry = { observedAt: NOW.toISOString(), lastMediaAt: ago(60_000) };
    expect(assessHealth(input(telemetry)).message).toBe(assessHealth({ ...input(telemetry), now: later }).message);
  });

  it('fails when a running relay has sent nothing for the no-media limit, and waits before that', () => {
    expect(assessHealth(input({ observedAt: NOW.toISOString() }, { statusSince: ago(5_000) })).state).toBe('unknown');
    expect(assessHealth(input({ observedAt: NOW.toISOString() }, { statusSince: ago(NO_MEDIA_FAILING_MS) }))).toMatchObject({
      state: 'failing',
      message: expect.stringMatching(/^No media sent for more than 30 s/),
    });
  });

  it('fails with the alert when the engine has an alert set, whatever the figures say', () => {
    const h = assessHealth(
      input(
        { observedAt: NOW.toISOString(), bitrateKbps: 4000, lastMediaAt: ago(1_000) },
        { alerts: [{ id: 'a1', type: 'RTMP Stream Not Found', message: 'Stream not found on the RTMP server', setAt: ago(4_000) }] },
      ),
    );
    expect(h).toEqual({ state: 'failing', bitrateKbps: null, message: 'RTMP Stream Not Found: Stream not found on the RTMP server' });
  });

  it('is degraded when media flows while MediaLive counts active alerts', () => {
    expect(assessHealth(input({ observedAt: NOW.toISOString(), lastMediaAt: ago(5_000), activeAlerts: 2 })).state).toBe('degraded');
  });

  it('is unknown while nothing runs, and failing with the recorded error for status error', () => {
    expect(assessHealth(input(undefined, { status: 'inactive' })).state).toBe('unknown');
    expect(assessHealth(input(undefined, { status: 'starting' })).state).toBe('unknown');
    expect(assessHealth(input(undefined, { status: 'error', lastErrorMessage: 'MediaLive rejected the URL.' }))).toEqual({
      state: 'failing',
      bitrateKbps: null,
      message: 'MediaLive rejected the URL.',
    });
  });

  it('fails when a running relay reports no figures at all for the no-media limit', () => {
    expect(assessHealth(input(undefined, { statusSince: ago(1_000) })).state).toBe('unknown');
    expect(assessHealth(input(undefined)).message).toMatch(/No figures from the relay for more than 30 s/);
  });
});

describe('nextHealth and healthChanged', () => {
  const ok = { state: 'ok' as const, bitrateKbps: 2000, message: 'Sending to the platform.' };

  it('keeps since while the state stays, and moves it when the state changes', () => {
    const first = nextHealth(undefined, ok, new Date(ago(60_000)));
    expect(first.since).toBe(ago(60_000));
    expect(nextHealth(first, { ...ok, bitrateKbps: 2100 }, NOW).since).toBe(ago(60_000));
    expect(nextHealth(first, { state: 'failing', bitrateKbps: null, message: 'x' }, NOW).since).toBe(NOW.toISOString());
  });

  it('writes a new state or message, and a bit rate only when it moved by more than a tenth', () => {
    const stored = nextHealth(undefined, ok, NOW);
    expect(healthChanged(stored, { ...stored, bitrateKbps: 2150 })).toBe(false);
    expect(healthChanged(stored, { ...stored, bitrateKbps: 2300 })).toBe(true);
    expect(healthChanged(stored, { ...stored, bitrateKbps: null })).toBe(true);
    expect(healthChanged(stored, { ...stored, message: 'other' })).toBe(true);
    expect(healthChanged(undefined, stored)).toBe(true);
  });
});

describe('figures that trail the present', () => {
  it('allows metrics their lag before media counts as stale', () => {
    const telemetry = { observedAt: NOW.toISOString(), bitrateKbps: 3000, lastMediaAt: ago(FRESH_MEDIA_MS + 20_000), lagMs: 30_000 };
    expect(assessHealth(input(telemetry)).state).toBe('ok');
    expect(assessHealth(input({ ...telemetry, lagMs: 0 })).state).not.toBe('ok');
  });
});

describe('applyRelayAlert', () => {
  const alert = (id: string, setAt = ago(1_000)) => ({ id, type: 'RTMP Stream Not Found', message: 'x', setAt });

  it('adds a SET alert of the recorded relay, removes it when CLEARED, and ignores other relays', () => {
    const set = applyRelayAlert({ mediaLiveChannelId: 'ch-1' }, { relayId: 'ch-1', state: 'SET', alert: alert('a1') });
    expect(set).toEqual([alert('a1')]);
    expect(
      applyRelayAlert({ mediaLiveChannelId: 'ch-1', relayAlerts: set! }, { relayId: 'ch-1', state: 'SET', alert: alert('a1') }),
    ).toBeUndefined();
    expect(
      applyRelayAlert({ mediaLiveChannelId: 'ch-1', relayAlerts: set! }, { relayId: 'ch-1', state: 'CLEARED', alert: alert('a1') }),
    ).toEqual([]);
    expect(applyRelayAlert({ mediaLiveChannelId: 'ch-1' }, { relayId: 'ch-1', state: 'CLEARED', alert: alert('a1') })).toBeUndefined();
    expect(applyRelayAlert({ mediaLiveChannelId: 'ch-2' }, { relayId: 'ch-1', state: 'SET', alert: alert('a1') })).toBeUndefined();
  });

  it('keeps at most the newest alerts', () => {
    let alerts: ReturnType<typeof alert>[] = [];
    for (let i = 0; i < MAX_RELAY_ALERTS + 5; i++) {
      alerts = applyRelayAlert(
        { mediaLiveChannelId: 'c', relayAlerts: alerts },
        { relayId: 'c', state: 'SET', alert: alert(`a${i}`, ago(100_000 - i)) },
      )!;
    }
    expect(alerts).toHaveLength(MAX_RELAY_ALERTS);
    expect(alerts[0]!.id).toBe(`a${MAX_RELAY_ALERTS + 4}`);
  });
});

describe('what each status says before any figures count', () => {
  it.each([
    ['inactive', /^Not sending: nothing runs/],
    ['starting', /^Starting: no media sent yet/],
    ['stopping', /^Stopping/],
    ['deleting', /^Being deleted/],
  ] as const)('%s: unknown, no bit rate, whatever the figures and alerts say', (status, message) => {
    // Figures and an alert that would make an active destination failing or ok are not read.
    const h = assessHealth(
      input(
        { observedAt: NOW.toISOString(), bitrateKbps: 3000, lastMediaAt: ago(1_000) },
        { status, alerts: [{ id: 'a1', type: 'RTMP Stream Not Found', message: 'x', setAt: ago(1_000) }] },
      ),
    );
    expect(h).toEqual({ state: 'unknown', bitrateKbps: null, message: expect.stringMatching(message) });
  });

  it('error without a recorded message still says failing and where to look', () => {
    expect(assessHealth(input(undefined, { status: 'error' }))).toEqual({
      state: 'failing',
      bitrateKbps: null,
      message: expect.stringMatching(/failed; see the last error/),
    });
  });
});

describe('alerts set on the relay', () => {
  it('shows the newest alert when several are set', () => {
    const older = { id: 'a1', type: 'Old Alert', message: 'first', setAt: ago(60_000) };
    const newer = { id: 'a2', type: 'RTMP Connection Failure', message: 'refused', setAt: ago(5_000) };
    for (const alerts of [
      [older, newer],
      [newer, older],
    ]) {
      expect(assessHealth(input({ observedAt: NOW.toISOString(), lastMediaAt: ago(1_000) }, { alerts })).message).toBe(
        'RTMP Connection Failure: refused',
      );
    }
  });
});

describe('the limits, at their edge', () => {
  it('a relay without figures fails exactly at the no-media limit, and says to check the relay logs', () => {
    expect(assessHealth(input(undefined, { statusSince: ago(NO_MEDIA_FAILING_MS - 1) }))).toEqual({
      state: 'unknown',
      bitrateKbps: null,
      message: expect.stringMatching(/waiting for the first figures/),
    });
    expect(assessHealth(input(undefined, { statusSince: ago(NO_MEDIA_FAILING_MS) }))).toEqual({
      state: 'failing',
      bitrateKbps: null,
      message: expect.stringMatching(/No figures from the relay for more than 30 s: check the relay logs/),
    });
  });

  it('media written exactly FRESH_MEDIA_MS ago still counts as flowing', () => {
    expect(assessHealth(input({ observedAt: NOW.toISOString(), bitrateKbps: 100, lastMediaAt: ago(FRESH_MEDIA_MS) })).state).toBe('ok');
    expect(assessHealth(input({ observedAt: NOW.toISOString(), bitrateKbps: 100, lastMediaAt: ago(FRESH_MEDIA_MS + 1) })).state).not.toBe(
      'ok',
    );
  });

  it('a drop exactly RECENT_FAILURE_MS ago still makes a flowing destination degraded, with the kind of failure', () => {
    const telemetry = { observedAt: NOW.toISOString(), bitrateKbps: 100, lastMediaAt: ago(1_000) };
    expect(assessHealth(input({ ...telemetry, failure: { kind: 'dropped', at: ago(RECENT_FAILURE_MS) } }))).toEqual({
      state: 'degraded',
      bitrateKbps: 100,
      message: expect.stringMatching(/connection failed \(dropped\) within the last minute/),
    });
    expect(assessHealth(input({ ...telemetry, failure: { kind: 'dropped', at: ago(RECENT_FAILURE_MS + 1) } })).state).toBe('ok');
  });

  it('flowing media without a measured bit rate is ok with no bit rate', () => {
    expect(assessHealth(input({ observedAt: NOW.toISOString(), lastMediaAt: ago(1_000) }))).toEqual({
      state: 'ok',
      bitrateKbps: null,
      message: 'Sending to the platform.',
    });
  });

  it('says how many alerts MediaLive counts when media flows with alerts', () => {
    expect(assessHealth(input({ observedAt: NOW.toISOString(), bitrateKbps: 900, lastMediaAt: ago(1_000), activeAlerts: 3 }))).toEqual({
      state: 'degraded',
      bitrateKbps: 900,
      message: expect.stringMatching(/with 3 active alert/),
    });
    expect(assessHealth(input({ observedAt: NOW.toISOString(), lastMediaAt: ago(1_000), activeAlerts: 0 })).state).toBe('ok');
  });
});

describe('why media does not flow', () => {
  const stale = (failure?: RelayTelemetry['failure'], lastMediaAt = ago(FRESH_MEDIA_MS + 2_000)): RelayTelemetry => ({
    observedAt: NOW.toISOString(),
    lastMediaAt,
    ...(failure ? { failure } : {}),
  });

  it.each([
    ['refused', /refused the stream.*Check the stream key/],
    ['unreachable', /Cannot reach the RTMP host: check the server URL/],
    ['source', /cannot read the IVS stream: check that the channel is live/],
  ] as const)('a %s failure after the last media fails at once, saying what to check', (kind, message) => {
    expect(assessHealth(input(stale({ kind, at: ago(1_000) })))).toEqual({
      state: 'failing',
      bitrateKbps: null,
      message: expect.stringMatching(message),
    });
  });

  it('a failure at the very moment media stopped explains it', () => {
    expect(assessHealth(input(stale({ kind: 'refused', at: ago(FRESH_MEDIA_MS + 2_000) }))).state).toBe('failing');
  });

  it('a refusal before the last media is old news: it does not explain why media stopped since', () => {
    const h = assessHealth(input(stale({ kind: 'refused', at: ago(FRESH_MEDIA_MS + 3_000) })));
    expect(h).toEqual({ state: 'unknown', bitrateKbps: null, message: 'Running: waiting for media to flow.' });
    const long = assessHealth(input(stale({ kind: 'refused', at: ago(NO_MEDIA_FAILING_MS + 3_000) }, ago(NO_MEDIA_FAILING_MS + 2_000))));
    expect(long.state).toBe('failing');
    expect(long.message).toMatch(/Check the source stream and the platform/);
    expect(long.message).not.toMatch(/stream key/);
  });

  it('a drop after the last media is shown while the relay reconnects, and named once media has been missing too long', () => {
    expect(assessHealth(input(stale({ kind: 'dropped', at: ago(1_000) })))).toEqual({
      state: 'unknown',
      bitrateKbps: null,
      message: expect.stringMatching(/closed the connection; the relay reconnects/),
    });
    const long = assessHealth(input(stale({ kind: 'other', at: ago(1_000) }, ago(NO_MEDIA_FAILING_MS))));
    expect(long.state).toBe('failing');
    expect(long.message).toMatch(/^No media sent for more than 30 s\. The relay could not send to the platform; see the relay logs/);
  });

  it('gives a relay that just started its time, even when media of its previous run is old', () => {
    const h = assessHealth(input({ observedAt: NOW.toISOString(), lastMediaAt: ago(10 * 60_000) }, { statusSince: ago(5_000) }));
    expect(h).toEqual({ state: 'unknown', bitrateKbps: null, message: 'Running: waiting for media to flow.' });
  });

  it('allows trailing metrics their lag before calling missing media failing, and says the limit it used', () => {
    const telemetry = { observedAt: NOW.toISOString(), lastMediaAt: ago(FRESH_MEDIA_MS + 30_000 + 3_000), lagMs: 30_000 };
    expect(assessHealth(input(telemetry)).state).toBe('unknown');
    const later = assessHealth(input({ ...telemetry, lastMediaAt: ago(NO_MEDIA_FAILING_MS + 30_000) }));
    expect(later.state).toBe('failing');
    expect(later.message).toMatch(/^No media sent for more than 60 s\./);
  });
});

describe('healthChanged, case by case', () => {
  const stored = { state: 'ok' as const, bitrateKbps: 2000, message: 'Sending to the platform.', since: ago(60_000) };

  it('a state that began at another time is a change', () => {
    expect(healthChanged(stored, { ...stored, since: NOW.toISOString() })).toBe(true);
    expect(healthChanged(stored, { ...stored, state: 'degraded' })).toBe(true);
  });

  it('no bit rate before and after is no change; one that appears (even 0) or vanishes is', () => {
    const none = { ...stored, bitrateKbps: null };
    expect(healthChanged(none, { ...none })).toBe(false);
    expect(healthChanged(none, { ...none, bitrateKbps: 0 })).toBe(true);
    expect(healthChanged({ ...none, bitrateKbps: 0 }, none)).toBe(true);
  });

  it('a move of exactly a tenth of the larger bit rate is not written', () => {
    expect(healthChanged({ ...stored, bitrateKbps: 1800 }, { ...stored, bitrateKbps: 2000 })).toBe(false);
    expect(healthChanged({ ...stored, bitrateKbps: 1799 }, { ...stored, bitrateKbps: 2000 })).toBe(true);
  });
});

describe('initialHealth', () => {
  it('shows an item without a stored health as its status says, since the status began', () => {
    const since = ago(5_000);
    expect(initialHealth('inactive', since)).toEqual({
      state: 'unknown',
      bitrateKbps: null,
      message: expect.stringMatching(/nothing runs/),
      since,
    });
    expect(initialHealth('active', since)).toMatchObject({
      state: 'unknown',
      message: expect.stringMatching(/waiting for the first figures/),
      since,
    });
    expect(initialHealth('error', since, 'MediaLive rejected the URL.')).toEqual({
      state: 'failing',
      bitrateKbps: null,
      message: 'MediaLive rejected the URL.',
      since,
    });
  });
});

describe('applyRelayAlert refreshes', () => {
  const a = { id: 'a1', type: 'RTMP Connection Failure', message: 'refused', setAt: ago(10_000) };

  it.each([
    ['message', { message: 'timed out' }],
    ['type', { type: 'RTMP Stream Not Found' }],
  ])('replaces an alert set again with another %s', (_what, change) => {
    const again = { ...a, ...change, setAt: ago(1_000) };
    expect(applyRelayAlert({ mediaLiveChannelId: 'c', relayAlerts: [a] }, { relayId: 'c', state: 'SET', alert: again })).toEqual([again]);
  });

  it('keeps the other alerts when one is cleared, newest first when one is set', () => {
    const b = { ...a, id: 'b1', setAt: ago(5_000) };
    expect(applyRelayAlert({ mediaLiveChannelId: 'c', relayAlerts: [a, b] }, { relayId: 'c', state: 'CLEARED', alert: a })).toEqual([b]);
    expect(applyRelayAlert({ mediaLiveChannelId: 'c', relayAlerts: [a] }, { relayId: 'c', state: 'SET', alert: b })).toEqual([b, a]);
  });
});
