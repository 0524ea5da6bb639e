/**
 * Topologies as data: a lab described in one YAML or JSON file. `load` turns
 * a file into a validated Topology; `plan` compares it with the kernel,
 * `apply` makes the kernel match it, `destroy` removes what it owns.
 */

export { commandLine } from "../actions/nescript.js";
export {
  type ApplyEvent,
  type ApplyFailure,
  type ApplyOptions,
  type ApplyPhase,
  type ApplyResult,
  apply,
  type ExecOutcome,
  TopologyAbortedError,
  TopologyApplyError,
} from "./apply.js";
export { type Change, describeChange, type Summary } from "./changes.js";
export { type DestroyEvent, type DestroyLeftovers, type DestroyOptions, type DestroyResult, destroy } from "./destroy.js";
export { type Graph, type GraphEdge, type GraphNode, graphOfInspection, graphOfTopology, toDot, toMermaid } from "./graph.js";
export { type InspectedLink, type InspectedNode, type Inspection, type InspectOptions, inspect } from "./inspect.js";
export { type LoadOptions, load } from "./load.js";
export { labKnown, locateNamed, locateNode, runningLabs } from "./locate.js";
export { TopologyLockedError } from "./lock.js";
export type * from "./model.js";
export { parseNodeRef } from "./node-ref.js";
export { type Plan, type PlanOptions, plan, TopologyConflictError } from "./plan.js";
export { TopologyPlanChangedError } from "./plan-changed.js";
export { type Problem, TopologyError } from "./problems.js";
export type { LabProcess } from "./run.js";
export type { TopologyFile } from "./schema.js";
export { topologySchema as schema } from "./shape.js";
export { MAX_TOPOLOGY_BYTES, utf8Text as topologyText } from "./source.js";
export type { LinkLeft } from "./teardown.js";
