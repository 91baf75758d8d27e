/** What a run reports after each day; the CLI draws it, the job document stores it. */
export interface Progress {
  fraction: number;
  message: string;
  done: number;
  total: number;
}

/** May return a promise: the run waits for it before the next day (a slow sink slows the run, never races it). */
export type ProgressListener = (progress: Progress) => void | Promise<void>;
