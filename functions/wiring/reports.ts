import type { AppDeps } from '../deps';
import type { ReportCsvDeps } from '../domain/reports/csv';
import type { SummaryDeps } from '../domain/reports/summary';
import { pick } from './pick';

// Reports

export const reportDeps = (app: AppDeps): SummaryDeps => ({
  ...pick(app, 'campaigns', 'engagement', 'purchases', 'receipts', 'stores', 'clock'),
  timeZone: app.config.DEFAULT_TIME_ZONE,
});

export const reportCsvDeps = (app: AppDeps): ReportCsvDeps =>
  pick(app, 'campaigns', 'engagement', 'contacts', 'purchases');
