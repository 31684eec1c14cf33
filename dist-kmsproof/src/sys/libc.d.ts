import koffi from "koffi";
export { koffi };
export declare const libc: import("koffi").LibraryHandle;
export declare function errnoName(errno: number): string;
/** A failed system call: names the call, the errno and, where given, what it was acting on. */
export declare class SysError extends Error {
    readonly call: string;
    readonly errno: number;
    readonly code: string;
    constructor(call: string, errno: number, what?: string);
}
/** Throws a SysError when a libc call returned a negative value. */
export declare function check(call: string, ret: number, what?: string): number;
export declare const O_RDONLY = 0;
export declare const O_RDWR = 2;
export declare const O_NONBLOCK = 2048;
export declare const O_CLOEXEC = 524288;
export declare const PROT_READ = 1;
export declare const PROT_WRITE = 2;
export declare const MAP_SHARED = 1;
export declare const MAP_FAILED = 18446744073709551615n;
export declare function open(path: string, flags: number, mode?: number): number;
export declare function close(fd: number): void;
/** Duplicates fd with close-on-exec (F_DUPFD_CLOEXEC). */
export declare function dup(fd: number): number;
/** ioctl with an in/out argument buffer (struct layouts are built by the caller). */
export declare function ioctl(fd: number, request: number | bigint, arg: Buffer | null, what?: string): number;
/** Maps len bytes of fd shared; the returned view stays valid until `unmap` is called. */
export declare function mmap(fd: number, len: number, prot?: number, offset?: number): Mapping;
export declare class Mapping {
    readonly address: bigint;
    readonly length: number;
    private view;
    constructor(address: bigint, length: number);
    /** One ArrayBuffer over the mapping, created once (see DESIGN: never two views of one address). */
    get buffer(): ArrayBuffer;
    unmap(): void;
}
/** Number of open descriptors of this process, for leak checks in tests. */
export declare function openFdCount(): number;
