/**
 * Business-hours calendars of the SLA settings, flattened for the SQL models (int_interaction_times
 * builds the opening periods and measures elapsed business time with them), and their checks.
 */
import type { ModuleConfig } from '../../pipelines/core/module.js';
import { isIanaZone } from '../../pipelines/core/time-zone.js';
import type { SatisfactionSettings } from './settings.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** One row per opening period of a weekday: ISO day of week 1 (Monday) .. 7, minutes from local midnight. */
export function calendarRows(s: SatisfactionSettings, defaultZone: string): { calendar: string; tz: string; dow: number; start_min: number; end_min: number }[] {
  const out: { calendar: string; tz: string; dow: number; start_min: number; end_min: number }[] = [];
  for (const [calendar, c] of Object.entries(s.sla.calendars)) {
    DAYS.forEach((d, i) => {
      for (const period of c.hours[d] ?? []) {
        const [from, to] = period.split('-');
        out.push({ calendar, tz: c.timezone ?? defaultZone, dow: i + 1, start_min: minutes(from), end_min: minutes(to) });
      }
    });
  }
  return out;
}

export function holidayRows(s: SatisfactionSettings): { calendar: string; day: string }[] {
  return Object.entries(s.sla.calendars).flatMap(([calendar, c]) => (c.holidays ?? []).map((day) => ({ calendar, day })));
}

/** Transform variables for the business-hours SLA (bound as JSON; SQL unnests them). */
export function businessHoursVariables(s: SatisfactionSettings, config: ModuleConfig): Record<string, string> {
  const zone = typeof config.timezone === 'string' ? config.timezone : 'UTC';
  return {
    sla_calendar_json: JSON.stringify(calendarRows(s, zone)),
    sla_holiday_json: JSON.stringify(holidayRows(s)),
    sla_business_hours_json: JSON.stringify(Object.entries(s.sla.businessHours).map(([channel, calendar]) => ({ channel, calendar }))),
  };
}

/** Checks a schema cannot express: periods that end after they start, known calendars, real zones. */
export function businessHoursProblems(s: SatisfactionSettings): string[] {
  const out: string[] = [];
  for (const [name, c] of Object.entries(s.sla.calendars)) {
    const where = `satisfaction.sla.calendars.${JSON.stringify(name)}`;
    if (c.timezone !== undefined && !isIanaZone(c.timezone)) out.push(`${where}.timezone: "${c.timezone}" is not an IANA time zone`);
    for (const d of DAYS) {
      for (const p of c.hours[d] ?? []) {
        const [from, to] = p.split('-');
        if (minutes(to) <= minutes(from)) out.push(`${where}.hours.${d}: "${p}" ends before it starts (split a period that crosses midnight in two)`);
      }
    }
  }
  for (const [channel, cal] of Object.entries(s.sla.businessHours)) {
    if (!Object.hasOwn(s.sla.calendars, cal)) {
      out.push(`satisfaction.sla.businessHours.${channel}: calendar "${cal}" is not in satisfaction.sla.calendars (${Object.keys(s.sla.calendars).join(', ') || 'none defined'})`);
    }
  }
  return out;
}
