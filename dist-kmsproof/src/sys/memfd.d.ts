/** A memfd of `size` bytes, mapped read/write. `grow` enlarges both (the pool never shrinks). */
export declare class SharedMemory {
    private fdValue;
    private sizeValue;
    private mapping;
    private constructor();
    static create(name: string, size: number): SharedMemory;
    get fd(): number;
    get size(): number;
    /** The mapping's bytes; a new view after `grow`, so do not keep it across one. */
    get buffer(): ArrayBuffer;
    grow(size: number): void;
    close(): void;
}
