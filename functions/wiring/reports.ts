import type { AppDeps } from '../deps';
import type { ReportCsvDeps } from '../domain/reports/csv';
import { pick } from './pick';

// Reports

export const reportDeps = (app: AppDeps) => pick(app, 'campaigns', 'engagement');

export const reportCsvDeps = (app: AppDeps): ReportCsvDeps =>
  pick(app, 'campaigns', 'engagement', 'contacts');
