// Tests expire codes, challenges and sessions by moving this clock instead of sleeping, so every
// module reads time from here and never from Date.now().

export interface EmulatorClock {
  /** Milliseconds since the epoch: the base clock plus every `advance`. */
  now(): number;
  /** Moves the emulator's time forward (a negative value moves it back). */
  advance(ms: number): void;
}

export function createClock(base: () => number = Date.now): EmulatorClock {
  let offset = 0;
  return {
    now: () => base() + offset,
    advance(ms: number) {
      if (!Number.isFinite(ms)) throw new TypeError(`clock.advance(ms): expected a finite number, received ${String(ms)}`);
      offset += ms;
    },
  };
}

export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}
