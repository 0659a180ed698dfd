import type { AppDeps } from '../deps';
import type { ReportCsvDeps } from '../domain/reports/csv';
import type { ReportDeps } from '../domain/reports/report';
import { pick } from './pick';

// Reports

export const reportDeps = (app: AppDeps): ReportDeps =>
  pick(app, 'campaigns', 'engagement', 'purchases', 'clock');

export const reportCsvDeps = (app: AppDeps): ReportCsvDeps =>
  pick(app, 'campaigns', 'engagement', 'contacts', 'purchases');
