/** What a run reports after each day; the CLI draws it, the job document stores it. */
export interface Progress {
  fraction: number;
  message: string;
  done: number;
  total: number;
}

export type ProgressListener = (progress: Progress) => void;
