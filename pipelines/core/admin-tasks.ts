/**
 * Admin work other than pipeline jobs that the server runs for the CLI's commands (`cxpulse replay`,
 * `cxpulse train`) while it holds the warehouse. The CLI wires the implementations (in turn with
 * pipeline runs, never at the same time); dashboards receive them through buildApp and never import them.
 * `cxpulse forget` has no server task: erasure rewrites the warehouse file, which the server has open.
 */
export interface ReplaySummary {
  action_ids: string[];
  delivered: number;
  retrying: number;
  dead: number;
}

export interface TrainSummary {
  model_id: string;
  as_of: string;
  [key: string]: unknown;
}

export interface AdminTasks {
  replay(target: { actionId: string } | { dead: true }): Promise<ReplaySummary>;
  /** Trains a churn model for the as-of (the data's when absent) and makes it the active one. */
  train(asOf: Date | undefined): Promise<TrainSummary>;
}
