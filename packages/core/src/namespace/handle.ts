/** A handle on a network namespace: an open descriptor that keeps it alive until closed. */
import { close } from "../ffi/libc.js";

/** What a worker sends for a handle it opened. */
export interface NsHandleJSON {
  fd: number;
  /** The namespace's identity: nsfs device and inode (the inode is what `ip netns identify` and /proc show). */
  dev: number;
  ino: number;
  /** Its NS_GET_ID (in decimal), never reused in a boot, unlike the inode; absent where the kernel cannot tell it. */
  id?: string;
}

export class NsHandle {
  readonly fd: number;
  readonly dev: number;
  readonly ino: number;
  readonly id?: string;
  #open = true;

  constructor(json: NsHandleJSON) {
    this.fd = json.fd;
    this.dev = json.dev;
    this.ino = json.ino;
    if (json.id !== undefined) this.id = json.id;
  }

  get closed(): boolean {
    return !this.#open;
  }

  /** Releases the namespace; an anonymous namespace is freed once nothing else holds it. Idempotent. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    close(this.fd);
  }

  toJSON(): NsHandleJSON & { closed: boolean } {
    return { fd: this.fd, dev: this.dev, ino: this.ino, ...(this.id !== undefined && { id: this.id }), closed: this.closed };
  }
}
