// Anonymous shared memory (memfd) for wl_shm pools: one object owns the descriptor and the mapping.
import { check, close, fcntl, koffi, libc, mmap, type Mapping, SysError } from "./libc.js";
import { UseAfterCloseError } from "../util/errors.js";

const MFD_CLOEXEC = 1;
const MFD_ALLOW_SEALING = 2;
const F_ADD_SEALS = 1033;
const F_SEAL_SHRINK = 2;

const c_memfd_create = libc.func("int memfd_create(const char *name, unsigned int flags)");
const c_ftruncate = libc.func("int ftruncate(int fd, int64_t length)");

/** Options of SharedMemory.create. */
export interface SharedMemoryOptions {
  /**
   * Map this many bytes up front (at least `size`): growing within them keeps the mapping, so its
   * address stays valid for whoever holds it (a Vulkan import). Bytes past the memfd's size are not
   * to be touched until it grows there.
   */
  reserve?: number;
}

/** A memfd of `size` bytes, mapped read/write. `grow` enlarges both (the pool never shrinks). */
export class SharedMemory {
  private mapping: Mapping;
  private constructor(
    private fdValue: number,
    private sizeValue: number,
    reserve: number,
  ) {
    try {
      this.mapping = mmap(fdValue, Math.max(sizeValue, reserve));
    } catch (e) {
      close(fdValue);
      throw e;
    }
  }

  static create(name: string, size: number, options: SharedMemoryOptions = {}): SharedMemory {
    if (!Number.isInteger(size) || size <= 0) throw new RangeError(`memfd ${name}: invalid size ${size}`);
    const fd = check("memfd_create", c_memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING), name);
    if (c_ftruncate(fd, size) < 0) {
      const errno = koffi.errno();
      close(fd);
      throw new SysError("ftruncate", errno, `memfd ${name}, ${size} bytes`);
    }
    // The compositor maps this too: forbid shrinking so it can never fault on a truncated pool.
    try {
      fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK, "F_ADD_SEALS", `memfd ${name}`);
    } catch {
      /* the seal is a safeguard only: the pool works without it, as it did when the result was ignored */
    }
    return new SharedMemory(fd, size, options.reserve ?? 0);
  }

  /** The memfd descriptor (still owned by this object; pass it to wl_shm.create_pool). Throws after close(). */
  get fd(): number {
    if (this.fdValue < 0) throw new UseAfterCloseError("SharedMemory");
    return this.fdValue;
  }
  /** Current size in bytes (grows with grow(), never shrinks). */
  get size(): number {
    return this.sizeValue;
  }
  /** Where the mapping starts (it moves when `grow` goes past the reserve). */
  get address(): bigint {
    return this.mapping.address;
  }
  /** The mapping's bytes; a new view after a `grow` past the reserve, so do not keep it across one. */
  get buffer(): ArrayBuffer {
    return this.mapping.buffer;
  }

  /**
   * Enlarges the memfd and its mapping to size bytes (no-op when not larger). Within the reserve the
   * mapping stays; past it, it moves and earlier `buffer` views become invalid. Throws SysError when
   * ftruncate or mmap fails.
   */
  grow(size: number): void {
    if (size <= this.sizeValue) return;
    check("ftruncate", c_ftruncate(this.fd, size), `memfd grow to ${size}`);
    if (size <= this.mapping.length) {
      this.sizeValue = size;
      return;
    }
    const next = mmap(this.fd, size);
    this.mapping.unmap();
    this.mapping = next;
    this.sizeValue = size;
  }

  /** Unmaps and closes the memfd. Idempotent. A compositor that mapped the pool keeps its own mapping. */
  close(): void {
    if (this.fdValue < 0) return;
    this.mapping.unmap();
    close(this.fdValue);
    this.fdValue = -1;
  }
}
