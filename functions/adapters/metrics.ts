import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricName, MetricSink } from '../domain/shared/ports';

/** The namespace of every Relance metric: the stack's alarms and dashboard read it. */
export const METRICS_NAMESPACE = 'Relance';
/** The `service` dimension every metric has (Powertools adds it): the alarms and dashboard name it. */
export const METRICS_SERVICE = 'relance';

/**
 * Powertools Metrics (CloudWatch embedded metric format, written to the function's log): each count
 * is flushed at once as its own metric line, with its dimension, so nothing waits for the end of an
 * invocation and a crash loses nothing already counted. The stack's alarms and dashboard
 * (infra/constructs/observability.ts) read these names with exactly these dimensions.
 */
export function powertoolsMetrics(): MetricSink {
  // Every metric carries Powertools' `service` dimension (METRICS_SERVICE), then its own, if any.
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });
  return {
    count(name: MetricName, value: number, dimension) {
      if (!(value > 0)) return;
      const single = metrics.singleMetric();
      if (dimension) single.addDimension(dimension.name, dimension.value);
      single.addMetric(name, MetricUnit.Count, value);
    },
  };
}
