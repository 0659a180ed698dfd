import { createHash } from 'node:crypto';
import * as z from 'zod';
import { emailSchema, PURCHASE_CHANNELS, storeIdSchema } from '../contacts/contact';

/** A transaction in one response channel: what segments and reports are computed from. */
export const purchaseInputSchema = z.strictObject({
  /** A contact id, or an email address. */
  contact: z.string().trim().min(1).max(254),
  storeId: storeIdSchema,
  amount: z.number().finite().nonnegative().max(1_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'Use an ISO 4217 code such as "EUR"'),
  at: z.iso.datetime({ offset: true }),
  channel: z.enum(PURCHASE_CHANNELS),
  /** The receipt or order reference; when given, a retried call records the purchase once. */
  ref: z.string().trim().min(1).max(100).optional(),
});
export type PurchaseInput = z.infer<typeof purchaseInputSchema>;

export interface Purchase extends Omit<PurchaseInput, 'contact'> {
  id: string;
  contactId: string;
  recordedAt: string;
  /** Set once the purchase has been counted on its contact. */
  applied?: boolean;
}

/** True when the `contact` field is an email rather than a contact id. */
export const isEmailReference = (ref: string) => emailSchema.safeParse(ref).success && ref.includes('@');

/**
 * A purchase id derived from its reference makes retries idempotent; without a
 * reference every call is a new purchase.
 */
export function purchaseId(input: PurchaseInput, randomId: () => string): string {
  if (!input.ref) return randomId();
  return `p_${createHash('sha256').update(`${input.storeId}\u0000${input.ref}`).digest('hex').slice(0, 24)}`;
}
