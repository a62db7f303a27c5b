import type { FreshnessConfig } from '../pipelines/core/freshness.js';
import type { ModuleConfig } from '../pipelines/core/module.js';

/**
 * The part of the loaded config dashboards read: module sections (satisfaction.minSample, ...), the
 * sources' age limits and `server`. Injected through buildApp options; the full type lives with the
 * config loader, which dashboards do not import.
 */
export type DashboardConfig = ModuleConfig & FreshnessConfig & { display?: unknown; timezone?: string };
