/**
 * Datasets the export job writes as Parquet. Each module adds its own entries.
 * `piiColumns` are dropped unless exports.includePii is true.
 */
export interface ExportDataset {
  name: string;
  /** The warehouse table it is read from; skipped (and reported) when the table does not exist yet. */
  table: string;
  piiColumns?: string[];
  /** Columns never exported (internal bookkeeping). */
  internalColumns?: string[];
}

const LOAD_BOOKKEEPING = ['loaded_run_id', 'updated_run_id'];

export const EXPORT_DATASETS: ExportDataset[] = [
  { name: 'customers', table: 'customers', piiColumns: ['email'], internalColumns: LOAD_BOOKKEEPING },
  { name: 'purchases', table: 'purchases', internalColumns: LOAD_BOOKKEEPING },
  { name: 'interactions', table: 'interactions', internalColumns: LOAD_BOOKKEEPING },
  { name: 'surveys', table: 'surveys', internalColumns: LOAD_BOOKKEEPING },
];
