/**
 * Replies on their way to the pool. While more tasks are queued they go
 * together, one message for many, but never wait long: a batch is sent at
 * MAX_REPLIES, or when its first reply is MAX_DELAY_MS old, or when nothing
 * more is queued, or before a stranded worker ends.
 */
import type { TaskReply } from "./protocol.js";

const MAX_REPLIES = 64;
const MAX_DELAY_MS = 2;

export class Outbox {
  readonly #post: (replies: TaskReply[]) => void;
  #replies: TaskReply[] = [];
  #since = 0;

  constructor(post: (replies: TaskReply[]) => void) {
    this.#post = post;
  }

  /** `more`: another task is queued behind this one. */
  add(reply: TaskReply, more: boolean): void {
    if (this.#replies.length === 0) this.#since = performance.now();
    this.#replies.push(reply);
    if (!more || !reply.returned || this.#replies.length >= MAX_REPLIES || performance.now() - this.#since >= MAX_DELAY_MS) this.flush();
  }

  flush(): void {
    if (this.#replies.length === 0) return;
    const replies = this.#replies;
    this.#replies = [];
    this.#post(replies);
  }
}
