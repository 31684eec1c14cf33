// The KMS read ioctls on a device fd: resources, connectors, encoders, CRTCs, planes, property
// definitions and values, blobs. Lists are fetched the uapi's way (ask for the count, then the
// items, again if a hotplug grew the list meanwhile). DrmDevice wraps these as its methods.
import { addr, checkCount, cstr, drmIoctl, u32s, u64s } from "./ioctl.js";
import {
  describeConnector, describeCrtc, describeEncoder, describePlane, type Connector, type Crtc, type Encoder, type Plane,
  type Resources,
} from "./objects.js";
import { printable } from "./printable.js";
import { makePropertyInfo, type PropertyInfo } from "./properties.js";
import {
  connectionName, connectorTypeNames, decodeMode, encoderTypeNames, MODE_INFO_SIZE, ObjectType, optId, type BlobId,
  type ConnectorId, type CrtcId, type EncoderId, type FbId, type Mode, type ObjectKind, type PlaneId, type PropertyId,
} from "./types.js";
import { DrmError } from "./error.js";

/** How often a list query is repeated when the list grew between the count and the fetch. */
const RETRIES = 5;

export function readResources(fd: number, what: string): Resources {
  for (let attempt = 0; ; attempt++) {
    const a = Buffer.alloc(64);
    drmIoctl(fd, "MODE_GETRESOURCES", a, what);
    const counts = [32, 36, 40, 44].map((o) => checkCount("mode resources", a.readUInt32LE(o)));
    const bufs = counts.map((n) => Buffer.alloc(n * 4));
    [0, 8, 16, 24].forEach((o, i) => a.writeBigUInt64LE(addr(bufs[i]), o));
    drmIoctl(fd, "MODE_GETRESOURCES", a, what);
    const again = [32, 36, 40, 44].map((o) => a.readUInt32LE(o));
    if (again.some((n, i) => n > counts[i]) && attempt < RETRIES) continue;
    const [fbs, crtcs, connectors, encoders] = bufs.map((b, i) => u32s(b, Math.min(counts[i], again[i])));
    return {
      fbs: fbs as FbId[], crtcs: crtcs as CrtcId[], connectors: connectors as ConnectorId[], encoders: encoders as EncoderId[],
      minWidth: a.readUInt32LE(48), maxWidth: a.readUInt32LE(52), minHeight: a.readUInt32LE(56), maxHeight: a.readUInt32LE(60),
    };
  }
}

export function readConnector(fd: number, id: ConnectorId): Connector {
  const what = `connector ${id}`;
  for (let attempt = 0; ; attempt++) {
    const a = Buffer.alloc(80);
    a.writeUInt32LE(id, 48);
    drmIoctl(fd, "MODE_GETCONNECTOR", a, what);
    const nModes = checkCount(`${what} modes`, a.readUInt32LE(32));
    const nEnc = checkCount(`${what} encoders`, a.readUInt32LE(40));
    const modes = Buffer.alloc(nModes * MODE_INFO_SIZE);
    const encs = Buffer.alloc(nEnc * 4);
    const b = Buffer.alloc(80);
    b.writeUInt32LE(id, 48);
    b.writeBigUInt64LE(addr(encs), 0);
    b.writeBigUInt64LE(addr(modes), 8);
    b.writeUInt32LE(nModes, 32);
    b.writeUInt32LE(nEnc, 40);
    drmIoctl(fd, "MODE_GETCONNECTOR", b, what);
    if ((b.readUInt32LE(32) > nModes || b.readUInt32LE(40) > nEnc) && attempt < RETRIES) continue;
    return decodeConnector(id, b, modes, nModes, encs, nEnc);
  }
}

/**
 * The Connector in a filled struct drm_mode_get_connector `b`, whose mode and encoder arrays (room
 * for `modeRoom` and `encoderRoom` items) the kernel wrote into `modes` and `encs`.
 */
export function decodeConnector(id: ConnectorId, b: Buffer, modes: Buffer, modeRoom: number, encs: Buffer, encoderRoom: number): Connector {
  const typeRaw = b.readUInt32LE(52);
  const typeId = b.readUInt32LE(56);
  const type = connectorTypeNames[typeRaw] ?? (`type ${typeRaw}` as const);
  const modeList: Mode[] = [];
  for (let i = 0; i < Math.min(modeRoom, b.readUInt32LE(32)); i++) modeList.push(decodeMode(modes, i * MODE_INFO_SIZE));
  return printable({
    id, type, typeId, name: `${type}-${typeId}`,
    connection: connectionName(b.readUInt32LE(60)),
    mmWidth: b.readUInt32LE(64), mmHeight: b.readUInt32LE(68),
    modes: modeList,
    encoders: u32s(encs, Math.min(encoderRoom, b.readUInt32LE(40))) as EncoderId[],
    encoder: optId<EncoderId>(b.readUInt32LE(44)),
  }, describeConnector);
}

/** `crtcs` is the resources' CRTC list, which possible_crtcs bit masks index. */
export function readEncoder(fd: number, id: EncoderId, crtcs: readonly CrtcId[]): Encoder {
  const a = Buffer.alloc(20);
  a.writeUInt32LE(id, 0);
  drmIoctl(fd, "MODE_GETENCODER", a, `encoder ${id}`);
  const type = a.readUInt32LE(4);
  return printable({
    id, type: encoderTypeNames[type] ?? `type ${type}`,
    crtc: optId<CrtcId>(a.readUInt32LE(8)),
    possibleCrtcs: maskToIds(a.readUInt32LE(12), crtcs),
  }, describeEncoder);
}

export function readCrtc(fd: number, id: CrtcId, crtcs: readonly CrtcId[]): Crtc {
  const a = Buffer.alloc(104);
  a.writeUInt32LE(id, 12);
  drmIoctl(fd, "MODE_GETCRTC", a, `crtc ${id}`);
  return printable({
    id, index: crtcs.indexOf(id),
    fb: optId<FbId>(a.readUInt32LE(16)),
    x: a.readUInt32LE(20), y: a.readUInt32LE(24), gammaSize: a.readUInt32LE(28),
    mode: a.readUInt32LE(32) ? decodeMode(a, 36) : undefined,
  }, describeCrtc);
}

export function readPlaneIds(fd: number, what: string): PlaneId[] {
  const a = Buffer.alloc(16);
  drmIoctl(fd, "MODE_GETPLANERESOURCES", a, what);
  const n = checkCount("planes", a.readUInt32LE(8));
  const ids = Buffer.alloc(n * 4);
  a.writeBigUInt64LE(addr(ids), 0);
  drmIoctl(fd, "MODE_GETPLANERESOURCES", a, what);
  return u32s(ids, Math.min(n, a.readUInt32LE(8))) as PlaneId[];
}

/** GETPLANE; the plane's type and modifiers come from its properties, which the caller reads. */
export function readPlane(
  fd: number, id: PlaneId, crtcs: readonly CrtcId[], fromProperties: Pick<Plane, "type" | "modifiers">,
): Plane {
  const what = `plane ${id}`;
  const a = Buffer.alloc(32);
  a.writeUInt32LE(id, 0);
  drmIoctl(fd, "MODE_GETPLANE", a, what);
  const n = checkCount(`${what} formats`, a.readUInt32LE(20));
  const fmts = Buffer.alloc(n * 4);
  a.writeBigUInt64LE(addr(fmts), 24);
  drmIoctl(fd, "MODE_GETPLANE", a, what);
  return printable({
    id,
    ...fromProperties,
    crtc: optId<CrtcId>(a.readUInt32LE(4)),
    fb: optId<FbId>(a.readUInt32LE(8)),
    possibleCrtcs: maskToIds(a.readUInt32LE(12), crtcs),
    formats: u32s(fmts, Math.min(n, a.readUInt32LE(20))),
  }, describePlane);
}

export function readPropertyInfo(fd: number, id: PropertyId | number): PropertyInfo {
  const what = `property ${id}`;
  const a = Buffer.alloc(64);
  a.writeUInt32LE(id, 16);
  drmIoctl(fd, "MODE_GETPROPERTY", a, what);
  const nValues = checkCount(`${what} values`, a.readUInt32LE(56));
  const nEnums = checkCount(`${what} enums`, a.readUInt32LE(60));
  const values = Buffer.alloc(nValues * 8);
  const enums = Buffer.alloc(nEnums * 40);
  a.writeBigUInt64LE(addr(values), 0);
  // for blob properties the kernel fills enum_blob_ptr with blob ids, not enums: leave it empty
  const isEnum = (a.readUInt32LE(20) & (8 | 32)) !== 0;
  a.writeBigUInt64LE(isEnum ? addr(enums) : 0n, 8);
  if (!isEnum) a.writeUInt32LE(0, 60);
  drmIoctl(fd, "MODE_GETPROPERTY", a, what);
  const enumList = isEnum
    ? Array.from({ length: Math.min(nEnums, a.readUInt32LE(60)) }, (_, i) => ({
        value: enums.readBigUInt64LE(i * 40),
        name: cstr(enums, i * 40 + 8, 32),
      }))
    : [];
  return makePropertyInfo(id, cstr(a, 24, 32), a.readUInt32LE(20), u64s(values, Math.min(nValues, a.readUInt32LE(56))), enumList);
}

/** An object's property ids and raw values, in the kernel's order. */
export function readObjectProperties(fd: number, kind: ObjectKind, id: number): { ids: PropertyId[]; values: bigint[] } {
  const owner = `${kind} ${id}`;
  for (let attempt = 0; ; attempt++) {
    const a = Buffer.alloc(32);
    a.writeUInt32LE(id, 20);
    a.writeUInt32LE(ObjectType[kind], 24);
    drmIoctl(fd, "MODE_OBJ_GETPROPERTIES", a, owner);
    const n = checkCount(`${owner} properties`, a.readUInt32LE(16));
    const ids = Buffer.alloc(n * 4);
    const vals = Buffer.alloc(n * 8);
    a.writeBigUInt64LE(addr(ids), 0);
    a.writeBigUInt64LE(addr(vals), 8);
    drmIoctl(fd, "MODE_OBJ_GETPROPERTIES", a, owner);
    if (a.readUInt32LE(16) > n && attempt < RETRIES) continue;
    const idList = u32s(ids, Math.min(n, a.readUInt32LE(16))) as PropertyId[];
    return { ids: idList, values: u64s(vals, idList.length) };
  }
}

export function readBlob(fd: number, id: BlobId): Buffer {
  const what = `blob ${id}`;
  const a = Buffer.alloc(16);
  a.writeUInt32LE(id, 0);
  drmIoctl(fd, "MODE_GETPROPBLOB", a, what);
  const len = checkCount(`${what} length`, a.readUInt32LE(4), 1 << 24);
  const data = Buffer.alloc(len);
  a.writeBigUInt64LE(addr(data), 8);
  drmIoctl(fd, "MODE_GETPROPBLOB", a, what);
  if (a.readUInt32LE(4) !== len) throw new DrmError(`${what} changed size while being read`);
  return data;
}

function maskToIds<T>(mask: number, ids: readonly T[]): T[] {
  return ids.filter((_, i) => i < 32 && (mask >>> i) & 1);
}
