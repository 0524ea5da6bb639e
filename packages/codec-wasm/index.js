// The codec's entry for ES modules: index.cjs, the one implementation (see there). Types: index.d.ts.
export { decodeLinkHeads, decodeMessages, decodeRaw, encodeRaw, encodeRequests, load } from "./index.cjs";
