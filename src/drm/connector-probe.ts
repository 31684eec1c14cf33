// One connector re-probed off the JavaScript thread. As DRM master, GETCONNECTOR with no room for
// modes makes the kernel probe the display (detect, then build and validate the mode list), which
// under emulation takes tens of milliseconds per connector; done on the event loop it holds up every
// other output's page-flip events. Here both GETCONNECTOR calls run on a libuv pool thread (the
// kernel probe takes the connection lock, which plane-only flips do not), so flips keep their rate.
import { ioctlAsync } from "../sys/libc.js";
import { decodeConnector, readConnector } from "./queries.js";
import { addr, checkCount, DRM_IOCTL } from "./ioctl.js";
import type { Connector } from "./objects.js";
import { MODE_INFO_SIZE, type ConnectorId } from "./types.js";
import type { DrmDevice } from "./device.js";

/** Room for this many encoder ids in the probing call (connectors have one to a few). */
const ENCODER_ROOM = 32;

/**
 * Probes connector `id` of `dev` (as master: the kernel re-detects the display) and reads its state,
 * without blocking the event loop. A failed call is repeated synchronously to name its errno (an
 * unplugged MST connector that no longer exists: ENOENT).
 */
export async function probeConnector(dev: DrmDevice, id: ConnectorId): Promise<Connector> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const encs = Buffer.alloc(ENCODER_ROOM * 4);
    const a = Buffer.alloc(80);
    a.writeBigUInt64LE(addr(encs), 0);
    a.writeUInt32LE(ENCODER_ROOM, 40);
    a.writeUInt32LE(id, 48);
    if ((await ioctlAsync(dev.fd, DRM_IOCTL.MODE_GETCONNECTOR, a)) < 0) return readConnector(dev.fd, id);
    const nModes = checkCount(`connector ${id} modes`, a.readUInt32LE(32));
    const nEnc = checkCount(`connector ${id} encoders`, a.readUInt32LE(40));
    if (nEnc > ENCODER_ROOM) return readConnector(dev.fd, id);
    let b = a;
    const modes = Buffer.alloc(nModes * MODE_INFO_SIZE);
    if (nModes > 0) {
      // with room for the modes the kernel copies them and does not probe again
      b = Buffer.alloc(80);
      b.writeBigUInt64LE(addr(encs), 0);
      b.writeBigUInt64LE(addr(modes), 8);
      b.writeUInt32LE(nModes, 32);
      b.writeUInt32LE(ENCODER_ROOM, 40);
      b.writeUInt32LE(id, 48);
      if ((await ioctlAsync(dev.fd, DRM_IOCTL.MODE_GETCONNECTOR, b)) < 0) return readConnector(dev.fd, id);
      if (b.readUInt32LE(32) > nModes) continue; // the list grew between the calls: ask again
    }
    return decodeConnector(id, b, modes, nModes, encs, ENCODER_ROOM);
  }
  return readConnector(dev.fd, id);
}
