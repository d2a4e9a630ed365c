/**
 * The server-wide budget of input bytes held for incomplete headers and frames (option
 * maxBufferedInputBytes): every connection takes and gives back its own share through this object,
 * instead of writing a counter on the server.
 */
export class InputBudget {
  /** The most bytes all connections together may hold. */
  readonly limit: number;
  #held = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Bytes all connections hold now. */
  get held(): number {
    return this.#held;
  }

  /** Takes `bytes` more when the total stays within the limit; false (nothing taken) otherwise. */
  take(bytes: number): boolean {
    if (this.#held + bytes > this.limit) return false;
    this.#held += bytes;
    return true;
  }

  /** Gives `bytes` back. */
  release(bytes: number): void {
    this.#held -= bytes;
  }
}
