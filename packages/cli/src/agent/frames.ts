/**
 * The agent's wire format, one connection per command: frames of
 * [kind: 1 byte][length: 4 bytes, big-endian][payload]. The client sends the
 * request, then its standard input and the signals it receives; the agent
 * sends the command's output, asks for input when the command first reads
 * it, and ends with its exit. Node built-ins only: the client loads this.
 */

/** Bumped when a frame's meaning changes; the agent refuses a client of another version. */
export const PROTOCOL = 2;

export const Frame = {
  /** client: the request, JSON (see Request). */
  request: 0x52,
  /** client: bytes of its standard input. */
  stdin: 0x49,
  /** client: its standard input ended. */
  stdinEnd: 0x45,
  /** client: a signal it received (its name, e.g. SIGINT). */
  signal: 0x53,
  /** agent: the command reads its standard input: send the next piece (one stdin frame, or stdinEnd). */
  wantStdin: 0x57,
  /** agent: bytes of the command's standard output. */
  stdout: 0x4f,
  /** agent: bytes of the command's standard error. */
  stderr: 0x65,
  /** agent: the command ended, JSON (see Exit). */
  exit: 0x58,
} as const;

export type FrameKind = (typeof Frame)[keyof typeof Frame];

/** What a client asks: run this argv, as if from this directory and these terminals. */
export interface Request {
  protocol: number;
  argv: string[];
  /** The client's working directory: relative paths in argv are its. */
  cwd: string;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  columns?: number;
  /**
   * The client's stdout and stderr are one file (`2>&1`): the command's stderr
   * comes as stdout frames, in one order with its stdout. Absent (an older
   * client; an older agent ignores it): two streams, as when they differ.
   */
  sharedOutput?: boolean;
}

/** How the command ended; `signal`: a signal the client got ended it, and the client should die of it too. */
export interface Exit {
  status: number;
  signal?: string;
}

/** No frame is larger: a request is far smaller, and data is cut to this size. */
export const MAX_PAYLOAD = 1 << 20;

const HEADER = 5;

export function encode(kind: FrameKind, payload: Uint8Array | string = ""): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload) : payload;
  const frame = Buffer.allocUnsafe(HEADER + body.length);
  frame[0] = kind;
  frame.writeUInt32BE(body.length, 1);
  frame.set(body, HEADER);
  return frame;
}

/** Data cut into frames of at most MAX_PAYLOAD bytes. */
export function dataFrames(kind: FrameKind, data: Uint8Array): Buffer {
  if (data.length <= MAX_PAYLOAD) return encode(kind, data);
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += MAX_PAYLOAD) parts.push(encode(kind, data.subarray(at, at + MAX_PAYLOAD)));
  return Buffer.concat(parts);
}

export interface Decoded {
  kind: number;
  payload: Buffer;
}

/** Frames out of a byte stream that arrives in arbitrary pieces. */
export class FrameReader {
  #pending: Buffer = Buffer.alloc(0);

  /** The frames completed by `chunk`; throws on a frame over MAX_PAYLOAD (the peer is not speaking this protocol). */
  push(chunk: Buffer): Decoded[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Decoded[] = [];
    while (this.#pending.length >= HEADER) {
      const length = this.#pending.readUInt32BE(1);
      if (length > MAX_PAYLOAD) throw new Error(`a frame of ${length} bytes is over the limit of ${MAX_PAYLOAD}`);
      if (this.#pending.length < HEADER + length) break;
      frames.push({ kind: this.#pending[0] as number, payload: this.#pending.subarray(HEADER, HEADER + length) });
      this.#pending = this.#pending.subarray(HEADER + length);
    }
    return frames;
  }
}
