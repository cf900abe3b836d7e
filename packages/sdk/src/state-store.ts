import { emptyState, type SdkState, type SdkStorage } from './storage.ts';

/** The SDK's state in memory, written through to storage on every change, one change at a time. */
export interface StateStore {
  get(): SdkState;
  /** Applies `change` and resolves once the new state is durable. */
  update(change: (state: SdkState) => SdkState): Promise<SdkState>;
}

export async function openStateStore(storage: SdkStorage): Promise<StateStore> {
  let state: SdkState = { ...emptyState, ...(await storage.load()) };
  let writing: Promise<unknown> = Promise.resolve();
  return {
    get: () => state,
    update(change) {
      const run = async () => {
        state = change(state);
        await storage.save(state);
        return state;
      };
      const next = writing.then(run, run);
      writing = next.catch(() => undefined);
      return next;
    },
  };
}
