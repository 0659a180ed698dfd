import type { Channel } from '../contacts/contact';

/**
 * The global frequency cap: at most `messages` marketing messages per contact
 * in any `days`-day window, across every campaign and automation, email and
 * SMS alike. Written `2/7` in configuration (FREQUENCY_CAP).
 */
export interface FrequencyCap {
  messages: number;
  days: number;
}

export const FREQUENCY_CAP_PATTERN = /^([1-9]\d{0,2})\/([1-9]\d{0,2})$/;

export function parseFrequencyCap(spec: string | undefined): FrequencyCap | undefined {
  const m = spec ? FREQUENCY_CAP_PATTERN.exec(spec) : null;
  return m ? { messages: Number(m[1]), days: Number(m[2]) } : undefined;
}

/** One message counted against the cap. */
export interface CountedMessage {
  campaignId: string;
  channel: Channel;
  at: string;
}

/**
 * Decides whether one more message fits under the cap, given those already
 * counted: the ones older than the window are dropped, and a message of the
 * same campaign and channel (a retried send) is the same message, not another
 * (`counted`: nothing to write).
 */
export function admit(
  counted: CountedMessage[],
  message: CountedMessage,
  cap: FrequencyCap,
): { admitted: boolean; counted: boolean; kept: CountedMessage[] } {
  const since = Date.parse(message.at) - cap.days * 86_400_000;
  const kept = counted.filter((m) => Date.parse(m.at) > since);
  if (kept.some((m) => m.campaignId === message.campaignId && m.channel === message.channel)) {
    return { admitted: true, counted: true, kept };
  }
  if (kept.length >= cap.messages) return { admitted: false, counted: false, kept };
  return { admitted: true, counted: false, kept: [...kept, message] };
}
