/**
 * Which tasks run user code (a custom provider or action). Both sides ask: the worker, to let such a task take
 * long, and the pool, since such code may sit in a call that ending its thread cannot cut short.
 */
import type { NsActionSpec } from "../actions/ns-actions.js";
import type { NsProvider } from "../namespace/providers.js";

/** Whether the action runs user code: a custom action, or a na.link with custom actions. */
export function runsUserCode(action: NsActionSpec): boolean {
  return action.kind === "custom" || (action.kind === "link" && action.actions.some((a) => a.kind === "custom"));
}

/** Whether a task may take long: it runs user code (a custom provider or action). */
export function mayRunLong({ provider, actions }: { provider: NsProvider; actions: readonly NsActionSpec[] }): boolean {
  return provider.kind === "custom" || actions.some(runsUserCode);
}
