/**
 * The monitor's alerts as a deployment without any alert channel has them: health changes are
 * recorded in the history table, nothing is sent. For tests of the reconciler that are not about
 * alerts (test/system/alerts.test.ts is).
 */
import { AlertChannels } from '../../lambdas/adapters/alerts/notifiers';
import { DynamoDestinationEventLog } from '../../lambdas/adapters/dynamodb/destination-event-log';
import { DynamoStreamStateRepository } from '../../lambdas/adapters/dynamodb/stream-state-repository';
import { createHealthAlerts } from '../../lambdas/adapters/lambda/aws-dependencies';
import type { HealthAlerts } from '../../lambdas/core/alerts';
import type { Clock, Log } from '../../lambdas/core/ports';
import type { Dynalite } from './dynalite';

export function alertsWithoutChannels(db: Dynalite, clock: Clock, log: Log): HealthAlerts {
  return createHealthAlerts({
    doc: db.doc,
    eventsTable: db.tables.events,
    events: new DynamoDestinationEventLog(db.doc, db.tables.events, clock),
    streamStates: new DynamoStreamStateRepository(db.doc, db.tables.streamState),
    notifier: new AlertChannels([]),
    log,
    metrics: { auxiliaryReadFailed: () => undefined },
  });
}
