import { MODULES } from '../../models/modules.js';
import { churnDashboard } from './churn.js';
import { overviewDashboard } from './overview.js';
import { rfmDashboard } from './rfm.js';
import { satisfactionDashboard } from './satisfaction.js';
import { serviceDashboard } from './service.js';
import type { Dashboard } from './types.js';

/** Every dashboard implementation by name; a module lists the names of its own (AnalyticsModule.dashboards). */
const IMPLEMENTED: Record<string, Dashboard> = Object.fromEntries(
  [satisfactionDashboard, serviceDashboard, rfmDashboard, churnDashboard].map((d) => [d.name, d]),
);

function moduleDashboard(name: string, module: string): Dashboard {
  const d = IMPLEMENTED[name];
  if (!d) throw new Error(`module ${module} lists dashboard "${name}", which dashboards/data/ does not implement`);
  return d;
}

/**
 * The dashboards in menu order: the overview, then each module's in module-list order (models/modules.ts).
 * The customer page is separate (one customer, marketing role).
 */
export const DASHBOARDS: readonly Dashboard[] = [
  overviewDashboard,
  ...MODULES.flatMap((m) => (m.dashboards ?? []).map((name) => moduleDashboard(name, m.name))),
];

export const DASHBOARD_NAMES = DASHBOARDS.map((d) => d.name);
