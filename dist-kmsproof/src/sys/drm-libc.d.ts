/** Non-blocking read: the number of bytes read, or 0 when the fd has nothing (EAGAIN). */
export declare function readNonBlocking(fd: number, buf: Buffer, what: string): number;
