import { createHeadlessPresenter } from "./headless.js";
import { logger } from "../util/log.js";
const log = logger("present");
const openers = new Map();
openers.set("headless", async (_instance, o) => createHeadlessPresenter(o.device, { size: o.size }, o.ownsDevice));
/** Lets a backend module make itself available to openPresenter. */
export function registerBackend(name, opener) {
    openers.set(name, opener);
}
/** wayland when WAYLAND_DISPLAY is set, kms when a DRM card exists, headless always last. */
export function defaultBackends(env = process.env) {
    const order = [];
    if (env.WAYLAND_DISPLAY)
        order.push("wayland");
    order.push("kms");
    order.push("headless");
    return order;
}
export async function openPresenter(instance, options) {
    const [width, height] = options.size;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
        throw new RangeError(`openPresenter: size must be two positive integers, got ${width}x${height}`);
    }
    const prefer = options.prefer ?? defaultBackends();
    const explicit = options.prefer?.length === 1;
    const failures = [];
    for (const name of prefer) {
        const opener = openers.get(name);
        if (!opener) {
            failures.push(`${name}: not available in this build`);
            continue;
        }
        const device = options.device ?? instance.createDevice();
        try {
            const presenter = await opener(instance, { ...options, device, ownsDevice: !options.device });
            log.info(`presenting with ${presenter.backend}`);
            return presenter;
        }
        catch (error) {
            if (!options.device)
                device.destroy();
            if (explicit)
                throw error;
            failures.push(`${name}: ${error.message}`);
            log.info(`backend ${name} unavailable: ${error.message}`);
        }
    }
    throw new Error(`no backend could open: ${failures.join("; ")}`);
}
//# sourceMappingURL=open.js.map