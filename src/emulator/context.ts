// What every route module needs from its emulator instance; nothing here is module-global, so two
// emulators in one process share no state.
import type { EmulatorClock } from './clock.ts';
import type { EmulatorDirectory } from './directory.ts';
import type { Grants } from './grants.ts';
import type { Outbox } from './outbox.ts';

export interface EmulatorContext {
  readonly directory: EmulatorDirectory;
  readonly clock: EmulatorClock;
  readonly grants: Grants;
  readonly outbox: Outbox;
  /** The emulator's own origin, e.g. `http://127.0.0.1:4100`; known once it listens. */
  baseUrl(): string;
}
