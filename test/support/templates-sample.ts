/** Sample data shared by the template tests: one shop, one contact, one coupon. */
import { fileURLToPath } from 'node:url';
import type { Store } from '../../functions/domain/stores/store';
import type { MessageVars } from '../../functions/domain/templates/render';

/** The templates shipped with Relance. */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/email', import.meta.url));

export const STORE: Store = {
  id: 'paris-11',
  name: 'Paris 11',
  address: '112 rue Oberkampf',
  postcode: '75011',
  city: 'Paris',
  country: 'FR',
  openingHours: {
    mon: ['09:30-12:30', '14:00-19:00'],
    tue: ['10:00-19:30'],
    sat: ['10:00-20:00'],
  },
  createdAt: '2025-03-10T09:00:00.000Z',
  updatedAt: '2025-03-10T09:00:00.000Z',
};

export const COUPON = {
  code: 'K7QM-4XRT-9PWD',
  offer: '−20 % sur tout le magasin',
  validUntil: '30 avril 2025',
  barcodeUrl: 'https://t.example.com/c/K7QM-4XRT-9PWD/barcode.png',
  qrUrl: 'https://t.example.com/c/K7QM-4XRT-9PWD/qr.png',
  printUrl: 'https://t.example.com/c/K7QM-4XRT-9PWD/print',
};

/** Variables for one recipient; `mapUrl` and hours come from storeVars in the tests that use it. */
export function sampleVars(overrides: Partial<MessageVars> = {}): MessageVars {
  return {
    contact: {
      id: 'ct_1',
      firstName: 'Camille',
      lastName: 'Martin',
      email: 'camille@example.com',
      locale: 'fr-FR',
    },
    store: {
      id: 'paris-11',
      name: 'Paris 11',
      address: '112 rue Oberkampf',
      postcode: '75011',
      city: 'Paris',
      country: 'FR',
      mapUrl: 'https://www.openstreetmap.org/search?query=112%20rue%20Oberkampf',
      openingHours: ['Lundi : 09:30–12:30, 14:00–19:00', 'Mardi : 10:00–19:30'],
    },
    unsubscribeUrl: 'https://t.example.com/u/tok-123?c=cmp_1&k=ct_1',
    viewInBrowserUrl: 'https://t.example.com/v/tok-456',
    company: { name: 'Maison Dupont', address: '1 rue de la Paix, 75002 Paris' },
    campaign: { id: 'cmp_1', name: 'Relance printemps' },
    coupon: { ...COUPON },
    ...overrides,
  };
}
