/** The kinds of source cxpulse loads (config key `sources.<name>`). */
export const SOURCE_NAMES = ['customers', 'purchases', 'interactions', 'surveys'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];
