/**
 * Shrunk counterexamples the random-history model test (test/system/model.test.ts) found, kept as
 * example histories. Each one ends in a violation on the first reconciler; a history joins the
 * example test (test/system/model-regressions.test.ts) once the system passes it.
 */
import type { Action } from './model';

export interface Counterexample {
  name: string;
  /** What the model test reported at the end of the history. */
  violation: string;
  history: Action[];
}

const twoDestinations: Action[] = [
  { kind: 'create', slot: 0, channel: 0, enabled: true },
  { kind: 'create', slot: 1, channel: 0, enabled: true },
];

export const COUNTEREXAMPLES: readonly Counterexample[] = [
  {
    name: 'a manual stop is undone when the go-live event comes late and IVS replaces the stream',
    violation: 'destination … (enabled, stream live, paused): a channel runs although it is not wanted: 2000001 RUNNING',
    history: [
      { kind: 'create', slot: 0, channel: 0, enabled: true },
      { kind: 'create', slot: 1, channel: 0, enabled: false },
      { kind: 'goLive', channel: 0, event: 'late' },
      { kind: 'stop', slot: 0 },
      { kind: 'goLive', channel: 0, event: 'delivered' },
    ],
  },
  {
    name: 'a malformed item (staleInputIds not a list) keeps every other destination from starting',
    violation: 'destination … (enabled, stream live, not paused): wanted, so exactly one RUNNING channel expected, found no channel',
    history: [
      ...twoDestinations,
      { kind: 'malform', slot: 1, how: 'staleInputIds-string' },
      { kind: 'goLive', channel: 0, event: 'delivered' },
    ],
  },
  {
    name: 'a manual stop is undone when IVS replaces the stream (encoder reconnect)',
    violation: 'destination … (enabled, stream live, paused): a channel runs although it is not wanted: 2000001 RUNNING',
    history: [
      { kind: 'create', slot: 0, channel: 0, enabled: true },
      { kind: 'create', slot: 1, channel: 0, enabled: false },
      { kind: 'reconnect', channel: 0, gapMs: 1000, event: 'delivered' },
      { kind: 'stop', slot: 0 },
      { kind: 'goLive', channel: 0, event: 'delivered' },
      { kind: 'update', slot: 0, change: 'enable' },
    ],
  },
  {
    name: 'a manual stop is undone by a reconnect inside the grace period',
    violation: 'destination … (enabled, stream live, paused): a channel runs although it is not wanted',
    history: [
      { kind: 'create', slot: 0, channel: 0, enabled: true },
      { kind: 'goLive', channel: 0, event: 'delivered' },
      { kind: 'wait', ms: 180_000 },
      { kind: 'stop', slot: 0 },
      { kind: 'reconnect', channel: 0, gapMs: 30_000, event: 'delivered' },
    ],
  },
  {
    name: 'after lost responses, an item lists the input of its own running channel as stale, for ever',
    violation: 'destination … (enabled, stream live, not paused): stale inputs left: 1000001',
    history: [
      ...twoDestinations,
      { kind: 'goLive', channel: 0, event: 'delivered' },
      { kind: 'wait', ms: 11_603 },
      { kind: 'faults', rate: 0.1, seed: 1, kinds: ['not-found', 'lost-response'] },
      { kind: 'reconnect', channel: 0, gapMs: 222_397, event: 'lost' },
      { kind: 'start', slot: 0, enable: false },
    ],
  },
  {
    name: 'the orphan sweep stops the running channel of a destination whose item was malformed by hand',
    violation: 'malformed destination …: its channel 2000001 was stopped (gone)',
    history: [
      { kind: 'create', slot: 0, channel: 0, enabled: true, mode: 'transcode' },
      { kind: 'create', slot: 1, channel: 0, enabled: true, mode: 'passthrough' },
      { kind: 'goLive', channel: 0, event: 'delivered' },
      { kind: 'wait', ms: 120_000 },
      { kind: 'malform', slot: 0, how: 'staleInputIds-string' },
      { kind: 'malform', slot: 1, how: 'status-unknown' },
    ],
  },
  {
    name: 'the model took an item the system had mended (its own report overwrote a bad status) for still malformed',
    violation: 'malformed destination …: its channel 2000001 was stopped (gone) — random seed 1848537649, path 1219',
    history: [
      { kind: 'create', slot: 0, channel: 0, enabled: true, mode: 'transcode' },
      { kind: 'create', slot: 1, channel: 0, enabled: true, mode: 'passthrough' },
      { kind: 'goLive', channel: 0, event: 'lost' },
      { kind: 'tick' },
      { kind: 'goOffline', channel: 0, event: 'delivered' },
      { kind: 'create', slot: 1, channel: 0, enabled: true, mode: 'transcode' },
      { kind: 'malform', slot: 0, how: 'status-unknown' },
    ],
  },
  {
    name: 'the model took the unrecorded input of a malformed item (a lost CreateInput answer) for an orphan',
    violation: 'orphaned input 1000001 — random seed 909878914, path 301, shrunk',
    history: [
      { kind: 'create', slot: 0, channel: 0, enabled: true, mode: 'transcode' },
      { kind: 'create', slot: 1, channel: 0, enabled: false, mode: 'transcode' },
      { kind: 'faults', rate: 0.5, seed: 246911, kinds: ['throttle', 'lost-response'] },
      { kind: 'wait', ms: 60000 },
      { kind: 'goLive', channel: 0, event: 'delivered' },
      { kind: 'goLive', channel: 0, event: 'delivered' },
      { kind: 'malform', slot: 0, how: 'staleInputIds-string' },
      { kind: 'tick' },
    ],
  },
];
