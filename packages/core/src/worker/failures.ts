/**
 * How the worker's pieces say where a failure happened, so that the task's
 * reply (main.ts) wraps the cause in exactly one ActionError, placed once.
 */

/** The failure of the `offset`-th action of a run of actions done together (pipelined or concurrently). */
export class RunFailure {
  constructor(
    readonly offset: number,
    readonly error: unknown,
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
