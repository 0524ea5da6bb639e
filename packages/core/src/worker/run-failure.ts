/** The failure of the `offset`-th action of a run of actions done together (pipelined or concurrently). */
export class RunFailure {
  constructor(
    readonly offset: number,
    readonly error: unknown,
  ) {}
}
