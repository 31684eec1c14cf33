export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogSource = "vk" | "validation" | "wayland" | "drm" | "present" | "demo" | "sys";
export interface LogRecord {
    level: LogLevel;
    source: LogSource;
    message: string;
}
export type LogSink = (record: LogRecord) => void;
export declare function setLogLevel(level: LogLevel): void;
/** Adds a sink (tests collect records); returns a function that removes it. */
export declare function addLogSink(sink: LogSink): () => void;
export declare function enabled(level: LogLevel, source: LogSource): boolean;
export declare function log(level: LogLevel, source: LogSource, message: string): void;
export declare const logger: (source: LogSource) => {
    debug: (m: string) => void;
    info: (m: string) => void;
    warn: (m: string) => void;
    error: (m: string) => void;
};
