/**
 * THE module list. The config schema, the transform's SQL variables, the score job's steps (in this
 * order), the export datasets, the customer_360 columns and the dashboards menu are assembled from it.
 * A new module is one folder under models/ and one line here (docs/architecture.md).
 */
import type { AnalyticsModule } from '../pipelines/core/module.js';
import { satisfactionModule } from './satisfaction/module.js';
import { rfmModule } from './rfm/module.js';
import { valueModule } from './value/module.js';
import { churnModule } from './churn/module.js';

export const MODULES: readonly AnalyticsModule[] = [satisfactionModule, rfmModule, valueModule, churnModule];
