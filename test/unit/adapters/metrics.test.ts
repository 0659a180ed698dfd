import { afterEach, describe, expect, it, vi } from 'vitest';
import { METRICS_NAMESPACE, powertoolsMetrics } from '../../../functions/adapters/metrics';
import { METRICS_NAMESPACE as STACK_NAMESPACE } from '../../../infra/constructs/observability';

afterEach(() => vi.restoreAllMocks());

/** The EMF lines Powertools writes (to stdout, as Lambda's log). */
function capture(): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  const take = (chunk: unknown) => {
    for (const l of String(chunk).split('\n')) if (l.trim().startsWith('{')) lines.push(JSON.parse(l));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(take as never);
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => take(a.join(' ')));
  return lines;
}

describe('powertoolsMetrics', () => {
  it('writes each count at once, in the stack’s namespace, with its service and the dimension given', () => {
    const lines = capture();
    const m = powertoolsMetrics();
    m.count('MessagesSent', 12, { name: 'Channel', value: 'sms' });
    m.count('CampaignsPausedByGuard', 1);
    m.count('Redemptions', 0);
    expect(METRICS_NAMESPACE).toBe(STACK_NAMESPACE);
    expect(lines).toHaveLength(2);
    type Emf = Record<string, unknown> & { _aws: { CloudWatchMetrics: Record<string, unknown>[] } };
    const [sent, guard] = lines as [Emf, Emf];
    expect(sent._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'Relance',
      Dimensions: [['service', 'Channel']],
      Metrics: [{ Name: 'MessagesSent', Unit: 'Count' }],
    });
    expect(sent.MessagesSent).toBe(12);
    expect(sent.Channel).toBe('sms');
    expect(sent.service).toBe('relance');
    expect(guard._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(guard.CampaignsPausedByGuard).toBe(1);
  });
});
