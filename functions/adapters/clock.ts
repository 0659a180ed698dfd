import { randomBytes } from 'node:crypto';
import type { Clock, Ids } from '../domain/shared/ports';

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests and simulations can move by hand. */
export function fixedClock(start: Date): Clock & { set(d: Date): void; advance(ms: number): void } {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set: (d) => {
      current = new Date(d);
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
}

/** Time-prefixed random ids: sortable by creation, 80 random bits so they cannot be guessed. */
export const randomIds: Ids = {
  next: (prefix) => `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomBytes(10).toString('hex')}`,
};
