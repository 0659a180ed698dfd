import type { ShortLink } from './short-links';

/** Short tracked links of SMS, by code. */
export interface ShortLinkRepository {
  /** Stores a link once: false when the code is taken (by this same link on a retried send, or another). */
  create(link: ShortLink): Promise<boolean>;
  get(code: string): Promise<ShortLink | undefined>;
}
