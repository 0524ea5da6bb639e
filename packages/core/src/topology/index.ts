/**
 * Topologies as data: a lab described in one YAML or JSON file. `load` turns
 * a file into a validated Topology; plan, apply, destroy and inspect work
 * from it.
 */
export { load } from "./load.js";
export type * from "./model.js";
export { type Problem, TopologyError } from "./problems.js";
export { type TopologyFile, TopologyFileSchema as schema } from "./schema.js";
