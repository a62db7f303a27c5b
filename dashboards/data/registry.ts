import { churnDashboard } from './churn.js';
import { overviewDashboard } from './overview.js';
import { rfmDashboard } from './rfm.js';
import { satisfactionDashboard } from './satisfaction.js';
import { serviceDashboard } from './service.js';
import type { Dashboard } from './types.js';

/** The dashboards in menu order; the customer page is separate (one customer, marketing role). */
export const DASHBOARDS: readonly Dashboard[] = [overviewDashboard, satisfactionDashboard, serviceDashboard, rfmDashboard, churnDashboard];

export const DASHBOARD_NAMES = DASHBOARDS.map((d) => d.name);
