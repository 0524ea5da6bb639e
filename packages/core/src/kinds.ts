/**
 * The link kinds core creates and each one's rules (does it sit on a parent
 * link, does it need options, their JSON Schema), as the codec generates them
 * from src/link/kinds/. Cheap to import: no pool and no wasm, for adapters
 * that list kinds before they need core (the CLI's help).
 */
export { LINK_KIND_RULES, LINK_KINDS, type Need } from "@neslink/codec-wasm/limits";
