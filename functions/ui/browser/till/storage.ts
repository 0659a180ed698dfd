/** What the page keeps on the device, under these names. */
export const KEYS = { key: 'relance.till.key', till: 'relance.till.id', lang: 'relance.till.lang' } as const;

/** Where values go when localStorage is off (private mode, a policy): the page still works, for this visit. */
const memory = new Map<string, string>();

/** localStorage, or memory when it refuses. */
export const storage = {
  get(name: string): string | null {
    try {
      return localStorage.getItem(name);
    } catch {
      return memory.get(name) ?? null;
    }
  },
  set(name: string, value: string): void {
    try {
      localStorage.setItem(name, value);
    } catch {
      memory.set(name, value);
    }
  },
  remove(name: string): void {
    try {
      localStorage.removeItem(name);
    } catch {
      memory.delete(name);
    }
  },
};
