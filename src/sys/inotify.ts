// inotify(7) on Node's event loop: watches one directory and reports each entry that was created,
// deleted, moved in or had its attributes changed, by name. The descriptor is read when libuv says
// it is readable, so nothing polls; close() stops and releases it.
import { readNonBlocking } from "./drm-libc.js";
import { check, close, libc } from "./libc.js";
import { FdPoll } from "./poll.js";

const c_inotify_init1 = libc.func("int inotify_init1(int flags)");
const c_inotify_add_watch = libc.func("int inotify_add_watch(int fd, const char *path, uint32_t mask)");

const IN_NONBLOCK = 0o4000;
const IN_CLOEXEC = 0o2000000;
/** Event mask bits (inotify.h). */
export const IN_ATTRIB = 0x4;
export const IN_MOVED_TO = 0x80;
export const IN_CREATE = 0x100;
export const IN_DELETE = 0x200;

/** One inotify event: what happened (`mask`, IN_* bits) to the entry `name` of the watched directory. */
export interface DirectoryChange {
  readonly mask: number;
  readonly name: string;
}

/** Receives a batch of changes read at once; a thrown error is logged by nobody, so it must not throw. */
export type DirectoryChangeHandler = (changes: readonly DirectoryChange[]) => void;

/**
 * Watches directory `path` for the IN_* events in `mask`. Throws SysError (naming inotify_init1 or
 * inotify_add_watch and the path) when the watch cannot be set up. `onError` hears a failed read
 * (the watch then stays quiet until the next readiness).
 */
export class DirectoryWatch {
  private readonly fd: number;
  private readonly poll: FdPoll;
  private readonly buf = Buffer.alloc(4096);
  private closed = false;

  constructor(
    readonly path: string,
    mask: number,
    private readonly onChanges: DirectoryChangeHandler,
    private readonly onError: (e: unknown) => void = () => {},
  ) {
    this.fd = check("inotify_init1", c_inotify_init1(IN_NONBLOCK | IN_CLOEXEC) as number, path);
    try {
      check("inotify_add_watch", c_inotify_add_watch(this.fd, path, mask) as number, path);
    } catch (e) {
      close(this.fd);
      throw e;
    }
    this.poll = new FdPoll(this.fd, () => this.read());
    this.poll.watch(true, false);
  }

  private read(): void {
    if (this.closed) return;
    const b = this.buf;
    const changes: DirectoryChange[] = [];
    for (;;) {
      let n: number;
      try {
        n = readNonBlocking(this.fd, b, `inotify ${this.path}`);
      } catch (e) {
        this.onError(e);
        return;
      }
      if (n === 0) break;
      // struct inotify_event { int wd; uint32_t mask, cookie, len; char name[len]; }
      for (let o = 0; o + 16 <= n; ) {
        const mask = b.readUInt32LE(o + 4);
        const len = b.readUInt32LE(o + 12);
        const nul = b.indexOf(0, o + 16);
        const name = b.toString("latin1", o + 16, nul < 0 || nul > o + 16 + len ? o + 16 + len : nul);
        o += 16 + len;
        changes.push({ mask, name });
      }
    }
    this.onChanges(changes);
  }

  /** Stops watching and closes the descriptor. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.poll.close();
    close(this.fd);
  }
}
