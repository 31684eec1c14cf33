import { type ChildProcess } from "node:child_process";
import { PNG } from "pngjs";
export declare const westonAvailable: boolean;
export interface Weston {
    runtimeDir: string;
    socket: string;
    /** Absolute socket path. */
    path: string;
    process: ChildProcess;
    log(): string;
    stop(): Promise<void>;
    screenshot(): Promise<PNG>;
}
export interface WestonOptions {
    width?: number;
    height?: number;
    renderer?: "pixman" | "gl";
    shell?: string;
}
export declare function startWeston(opts?: WestonOptions): Promise<Weston>;
