/**
 * How the worker's pieces say where a failure happened, so that the task's
 * reply (main.ts) wraps the cause in exactly one ActionError, placed once.
 */

import { ActionError } from "../errors.js";

/**
 * The failure of the `offset`-th action of a run of actions done together (pipelined or concurrently); `doneAfter`,
 * the offsets of those after it that were done all the same (see ActionError.doneAfter).
 */
export class RunFailure {
  constructor(
    readonly offset: number,
    readonly error: unknown,
    readonly doneAfter: readonly number[] = [],
  ) {}
}

/** A failure inside na.link: of its link action at `linkActionIndex`, or of its link provider (-1); `step` names either. */
export class LinkFailure {
  constructor(
    readonly linkActionIndex: number,
    readonly step: string,
    readonly error: unknown,
  ) {}
}

const ROUTE_CHANGES: Readonly<Record<string, string>> = { add: "addRoute", replace: "replaceRoute", delete: "delRoute" };

/**
 * An action as errors name it: its kind, but a route change as `na` names it (`delRoute`): one kind does all three; a
 * sysctl with its name, as one task writes many and their errno (ENOENT, EINVAL) does not say which.
 */
function actionName(action: { kind: string; op?: unknown; name?: unknown }): string {
  if (action.kind === "sysctl" && typeof action.name === "string") return `sysctl ${action.name}`;
  return (action.kind === "route" && ROUTE_CHANGES[action.op as string]) || action.kind;
}

/**
 * The one error a failed action becomes: where it failed (inside na.link, its
 * link action or provider too; for linkDo's one composite action, only that),
 * with the cause as it was thrown.
 */
export function placedError(
  actions: readonly { kind: string; op?: unknown }[],
  linkDo: boolean | undefined,
  index: number,
  error: unknown,
  returned: boolean,
  doneAfter?: readonly number[],
): ActionError {
  if (!(error instanceof LinkFailure))
    return new ActionError(index, actionName(actions[index] as { kind: string }), returned, error, undefined, false, doneAfter);
  const { linkActionIndex, step, error: cause } = error;
  // Only core marks a task as linkDo's, and only with one action: still, a hand-made task cannot make a failure lose its place.
  return linkDo && actions.length === 1
    ? new ActionError(linkActionIndex, step, returned, cause)
    : new ActionError(index, step, returned, cause, linkActionIndex, false, doneAfter);
}
