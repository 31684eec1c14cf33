import type { Device, Instance } from "../vk/index.js";
import type { BackendName, Presenter } from "./presenter.js";
export type BackendChoice = BackendName | "wayland";
export interface OpenPresenterOptions {
    /** Backends to try in order; the first that opens wins (default: automatic, see defaultBackends). */
    prefer?: readonly BackendChoice[];
    /** Width and height in pixels (a window may be resized by its compositor later). */
    size: readonly [number, number];
    /** Use this device instead of creating one (the presenter then does not destroy it). */
    device?: Device;
    /** Window title (Wayland). */
    title?: string;
    /** KMS: connector name (e.g. "Virtual-1") and mode ("WxH" or "WxH@Hz"). */
    connector?: string;
    mode?: string;
}
/** A backend factory: resolves to a Presenter, or throws when the backend cannot work here. */
export type BackendOpener = (instance: Instance, options: OpenPresenterOptions & {
    device: Device;
    ownsDevice: boolean;
}) => Promise<Presenter>;
/** Lets a backend module make itself available to openPresenter. */
export declare function registerBackend(name: BackendChoice, opener: BackendOpener): void;
/** wayland when WAYLAND_DISPLAY is set, kms when a DRM card exists, headless always last. */
export declare function defaultBackends(env?: NodeJS.ProcessEnv): BackendChoice[];
export declare function openPresenter(instance: Instance, options: OpenPresenterOptions): Promise<Presenter>;
