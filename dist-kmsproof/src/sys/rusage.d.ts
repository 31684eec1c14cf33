/** Microseconds of user + system CPU used by this thread so far. */
export declare function threadCpuMicros(): number;
