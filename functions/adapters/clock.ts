import { randomBytes } from 'node:crypto';
import type { Clock, Ids } from '../domain/shared/ports';

export const systemClock: Clock = { now: () => new Date() };

/** Time-prefixed random ids: sortable by creation, 80 random bits so they cannot be guessed. */
export const randomIds: Ids = {
  next: (prefix) => `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomBytes(10).toString('hex')}`,
};
