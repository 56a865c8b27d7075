/** When a crashed server is restarted and when the extension gives up (pure; time is passed in). */

export interface RestartPolicyOptions {
  /** Restarts allowed inside the window before giving up. */
  maxRestarts: number;
  /** Length of the window, in milliseconds. */
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = { maxRestarts: 3, windowMs: 3 * 60_000 };

/** Restart after a crash only if the server had come up, and not more than `maxRestarts` times in `windowMs`. */
export class RestartPolicy {
  private readonly crashes: number[] = [];
  private everRunning = false;

  constructor(private readonly options: RestartPolicyOptions = DEFAULT_RESTART_POLICY) {}

  /** The server finished initializing. */
  markRunning(): void {
    this.everRunning = true;
  }

  /** The connection closed at `now`; true when the server should be started again. */
  shouldRestart(now: number): boolean {
    if (!this.everRunning) return false;
    this.crashes.push(now);
    while (this.crashes.length > 0 && now - (this.crashes[0] ?? now) > this.options.windowMs) this.crashes.shift();
    return this.crashes.length <= this.options.maxRestarts;
  }
}
