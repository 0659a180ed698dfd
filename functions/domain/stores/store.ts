import * as z from 'zod';

const hhmm = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A shop: where coupons are redeemed and where customers are invited back to. */
export const storeInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  address: z.string().trim().min(1).max(200),
  postcode: z.string().trim().min(1).max(20),
  city: z.string().trim().min(1).max(100),
  country: z.string().regex(/^[A-Z]{2}$/, 'Use an ISO 3166-1 alpha-2 code such as "FR"'),
  /** Per weekday, a list of "HH:MM-HH:MM" ranges; a missing day is closed. */
  openingHours: z
    .partialRecord(z.enum(DAYS), z.array(z.string().regex(hhmm, 'Use "HH:MM-HH:MM"')).max(4))
    .optional(),
  timeZone: z.string().max(64).optional(),
});
export type StoreInput = z.infer<typeof storeInputSchema>;

export interface Store extends StoreInput {
  id: string;
  createdAt: string;
  updatedAt: string;
}
