/**
 * The monitor's alerts over dynalite: `alertsWithoutChannels` as a deployment without any alert
 * channel has them (health changes are recorded in the history table, nothing is sent), for tests
 * of the reconciler that are not about alerts; `alertsTo` with the given channels.
 */
import { AlertChannels } from '../../lambdas/adapters/alerts/notifiers';
import { DynamoDestinationEventLog } from '../../lambdas/adapters/dynamodb/destination-event-log';
import { DynamoStreamStateRepository } from '../../lambdas/adapters/dynamodb/stream-state-repository';
import { createHealthAlerts } from '../../lambdas/adapters/lambda/aws-dependencies';
import type { HealthAlerts } from '../../lambdas/core/alerts';
import type { AlertNotifier, Clock, Log, Metrics } from '../../lambdas/core/ports';
import type { Dynalite } from './dynalite';

export function alertsWithoutChannels(db: Dynalite, clock: Clock, log: Log): HealthAlerts {
  return alertsTo(db, clock, log, []);
}

export function alertsTo(
  db: Dynalite,
  clock: Clock,
  log: Log,
  channels: readonly AlertNotifier[],
  options: { timeoutMs?: number; metrics?: Pick<Metrics, 'auxiliaryReadFailed'> } = {},
): HealthAlerts {
  return createHealthAlerts({
    doc: db.doc,
    eventsTable: db.tables.events,
    events: new DynamoDestinationEventLog(db.doc, db.tables.events, clock),
    streamStates: new DynamoStreamStateRepository(db.doc, db.tables.streamState),
    notifier: new AlertChannels(channels, options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    log,
    metrics: options.metrics ?? { auxiliaryReadFailed: () => undefined },
  });
}
