/** Time-zone names: the config's `timezone` and each source's are IANA names (as DuckDB's ICU reads them). */

/** True when `zone` is an IANA time zone name this runtime knows (e.g. "Europe/Riga", "Asia/Shanghai", "UTC"). */
export function isIanaZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
