/**
 * The worker's check of a task before it touches anything: the provider and
 * every action, nested ones included, by the rules their constructors use.
 * Objects built by hand, or changed after construction, reach the worker too.
 */
import type { NsActionSpec } from "../actions/ns-actions.js";
import type { NsProvider } from "../namespace/providers.js";
import { nsAction } from "./actions.js";
import { nsProvider } from "./providers.js";
import { list } from "./shape.js";

/** The task's provider and actions as validated copies; throws a ValidationError naming the first bad field. */
export function checkTask(task: { provider: unknown; actions: unknown }): { provider: NsProvider; actions: NsActionSpec[] } {
  return { provider: nsProvider("provider", task.provider), actions: list("actions", task.actions, nsAction) };
}
