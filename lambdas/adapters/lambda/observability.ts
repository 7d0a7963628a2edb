/**
 * Powertools Logger and Metrics behind the core's Log and Metrics ports.
 * The service name is the function name, so logs and the `DestinationFailures` metric carry it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Log, Metrics } from '../../core/ports';

export const METRICS_NAMESPACE = 'IvsRestreaming';
export const DESTINATION_FAILURES_METRIC = 'DestinationFailures';
export const AUXILIARY_READ_FAILURES_METRIC = 'AuxiliaryReadFailures';

export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

/** Adapts a Powertools Logger (or anything with the same methods) to the Log port. */
export function logPort(logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>): Log {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, attributes?: Record<string, unknown>): void => {
      if (attributes) logger[level](message, attributes);
      else logger[level](message);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** EMF metrics, flushed once at the end of each invocation. */
export class LambdaMetrics implements Metrics {
  readonly metrics: PowertoolsMetrics;
  constructor(serviceName: string) {
    this.metrics = new PowertoolsMetrics({ namespace: METRICS_NAMESPACE, serviceName });
  }
  destinationFailed(): void {
    this.metrics.addMetric(DESTINATION_FAILURES_METRIC, MetricUnit.Count, 1);
  }
  auxiliaryReadFailed(): void {
    this.metrics.addMetric(AUXILIARY_READ_FAILURES_METRIC, MetricUnit.Count, 1);
  }
  flush(): void {
    this.metrics.publishStoredMetrics();
  }
}
