// Stage 1 of the OBJ parser: tokenising. A cursor over the file's bytes that walks lines and decodes
// numbers and face indices in place, with no per-line strings or regular expressions, so a large
// file is read without an allocation per statement. Every error names the file and the line.
import { AssetError } from "../errors.js";

// byte values
const NL = 10, CR = 13, SP = 32, TAB = 9, HASH = 35, SLASH = 47, MINUS = 45, PLUS = 43, DOT = 46;
const ZERO = 48, NINE = 57, LOWER_E = 101, UPPER_E = 69;

/** Decimal digits kept in a mantissa: 16 fit a double exactly (2^53 > 10^16 - 1). */
const MANTISSA_DIGITS = 16;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i); // exact powers of ten as doubles
/** The smallest magnitude that rounds to Infinity as a 32-bit float (halfway past the largest). */
const F32_OVERFLOW = 2 ** 128 - 2 ** 103;
/** Exponents stop growing here: far past any float's range, far below a double's limit. */
const EXPONENT_CAP = 9999;
/** Longest token quoted in an error message. */
const QUOTE_BYTES = 40;

/** 1 for a leading '+', -1 for '-', 0 for neither. */
function signAt(buf: Uint8Array, p: number): number {
  const c = buf[p];
  return c === MINUS ? -1 : c === PLUS ? 1 : 0;
}

/** Whether a number or index may end before byte `p`: blank, end of line, comment, end of file. */
function endsToken(buf: Uint8Array, p: number): boolean {
  const c = buf[p];
  return p >= buf.length || c === SP || c === TAB || c === NL || c === CR || c === HASH;
}

export class ObjScanner {
  /** Byte offset of the cursor. */
  p = 0;
  /** 1-based number of the line being read. */
  line = 0;

  constructor(
    readonly buf: Uint8Array,
    readonly name: string,
  ) {}

  fail(detail: string): never {
    throw new AssetError(this.name, detail, this.line);
  }

  /** Moves to the start of the next line's first token; false at the end of the file. */
  nextLine(): boolean {
    if (this.p >= this.buf.length) return false;
    this.line++;
    this.skipBlanks();
    return true;
  }

  /** Skips what is left of the current line, line break included. */
  endLine(): void {
    const buf = this.buf;
    // a parsed statement usually leaves the cursor on the line break: skip the search then
    if (buf[this.p] === NL) {
      this.p++;
      return;
    }
    const i = buf.indexOf(NL, this.p);
    this.p = i < 0 ? buf.length : i + 1;
  }

  /** The byte `ahead` places past the cursor; a line break past the end of the file. */
  peek(ahead = 0): number {
    const q = this.p + ahead;
    return q < this.buf.length ? this.buf[q] : NL;
  }

  /** Whether the byte `ahead` places past the cursor is a blank or the end of the file. */
  blankAt(ahead: number): boolean {
    const q = this.p + ahead;
    return q >= this.buf.length || this.buf[q] === SP || this.buf[q] === TAB;
  }

  /** Whether the line has nothing left but blanks or a comment. */
  atEol(): boolean {
    this.skipBlanks();
    return this.atCommentOrBlankLine();
  }

  /** Whether the cursor is at a comment, a line break or the end of the file. */
  atCommentOrBlankLine(): boolean {
    const c = this.peek();
    return c === HASH || c === NL || c === CR;
  }

  /** Steps over `byte` if the cursor is on it. */
  skip(byte: number): boolean {
    if (this.buf[this.p] !== byte) return false;
    this.p++;
    return true;
  }

  /** The whitespace-delimited token at `from`, shortened for error messages. */
  token(from = this.p): string {
    const buf = this.buf;
    let e = from;
    while (e < buf.length && buf[e] !== SP && buf[e] !== TAB && buf[e] !== NL && buf[e] !== CR) e++;
    return Buffer.from(buf.buffer, buf.byteOffset + from, Math.min(e - from, QUOTE_BYTES)).toString("utf8");
  }

  /** Reads one number; `what` names it in the error when it is missing, not a number, or overflows. */
  float(what: string, statement: string): number {
    if (this.atEol()) this.missing(what, statement);
    const buf = this.buf;
    const start = this.p;
    const sign = signAt(buf, start);
    let p = sign === 0 ? start : start + 1;
    let mant = 0;
    let digits = 0; // significant digits taken into mant
    let scale = 0; // decimal exponent adjustment
    let any = false;
    let c = buf[p];
    while (c >= ZERO && c <= NINE) {
      if (digits < MANTISSA_DIGITS) {
        mant = mant * 10 + (c - ZERO);
        if (mant !== 0) digits++;
      } else scale++;
      any = true;
      c = buf[++p];
    }
    if (c === DOT) {
      c = buf[++p];
      while (c >= ZERO && c <= NINE) {
        if (digits < MANTISSA_DIGITS) {
          mant = mant * 10 + (c - ZERO);
          if (mant !== 0) digits++;
          scale--;
        }
        any = true;
        c = buf[++p];
      }
    }
    if (any && (c === LOWER_E || c === UPPER_E)) {
      const expSign = signAt(buf, p + 1);
      this.p = expSign === 0 ? p + 1 : p + 2;
      const e = this.digits(EXPONENT_CAP);
      if (e >= 0) {
        p = this.p;
        scale += expSign < 0 ? -e : e;
      } else any = false;
    }
    if (!any || !endsToken(buf, p)) this.notNumeric(what, statement, start);
    this.p = p;
    let v: number;
    if (scale === 0) v = mant;
    else if (scale > 0 && scale < POW10.length) v = mant * POW10[scale];
    else if (scale < 0 && -scale < POW10.length) v = mant / POW10[-scale];
    else v = Number(this.text(sign === 0 ? start : start + 1, p)); // extreme exponents: let the runtime round
    // Stored as 32-bit floats: anything that would become Infinity there is refused (NaN fails too).
    if (!(v < F32_OVERFLOW)) this.overflow(what, statement, start);
    return sign < 0 ? -v : v;
  }

  /** A face index: 1-based, or negative counting back from the latest of `count` elements. */
  index(kind: string, count: number): number {
    const buf = this.buf;
    const start = this.p;
    const neg = buf[start] === MINUS; // no '+': OBJ writes indices bare
    let p = neg ? start + 1 : start;
    let v = 0;
    let c = buf[p];
    const any = c >= ZERO && c <= NINE;
    // No cap: a huge index only grows past `count` (Infinity at worst), and the error quotes its text.
    while (c >= ZERO && c <= NINE) {
      v = v * 10 + (c - ZERO);
      c = buf[++p];
    }
    if (!any || !(c === SLASH || endsToken(buf, p))) this.notIndex(start);
    this.p = p;
    const i = neg ? count - v : v - 1;
    if (v === 0 || i < 0 || i >= count) this.indexOutOfRange(kind, count, start);
    return i;
  }

  // Error paths, kept out of the hot functions above so those stay small enough to inline.

  private missing(what: string, statement: string): never {
    this.fail(`'${statement}' statement is missing its ${what}`);
  }

  private notNumeric(what: string, statement: string, start: number): never {
    this.fail(`non-numeric ${what} "${this.token(start)}" in '${statement}' statement`);
  }

  private overflow(what: string, statement: string, start: number): never {
    this.fail(`${what} "${this.token(start)}" is out of range (not a finite 32-bit float) in '${statement}' statement`);
  }

  private notIndex(start: number): never {
    this.fail(`face corner "${this.token(start)}" is not a valid index`);
  }

  private indexOutOfRange(kind: string, count: number, start: number): never {
    const written = this.token(start).split("/")[0];
    const n = Number(written); // leading zeros and huge values: the number as read, else the text
    if (n === 0) this.fail(`face ${kind} index 0 (OBJ indices start at 1)`);
    const shown = Number.isSafeInteger(n) ? String(n) : written;
    this.fail(`face ${kind} index ${shown} out of range (${count} ${kind}${count === 1 ? "" : "s"} defined so far)`);
  }

  /** Bytes `from` to `to` as text (ASCII here: only digits, '.', 'e' and signs reach this). */
  private text(from: number, to: number): string {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + from, to - from).toString("latin1");
  }

  /** A run of decimal digits at the cursor as an integer no larger than `cap`; -1 if there is none. */
  private digits(cap: number): number {
    const buf = this.buf;
    let p = this.p;
    let v = 0;
    let c = buf[p];
    if (!(c >= ZERO && c <= NINE)) return -1;
    do {
      v = v * 10 + (c - ZERO);
      if (v > cap) v = cap;
      c = buf[++p];
    } while (c >= ZERO && c <= NINE);
    this.p = p;
    return v;
  }

  private skipBlanks(): void {
    const buf = this.buf;
    let p = this.p;
    while (p < buf.length && (buf[p] === SP || buf[p] === TAB)) p++;
    this.p = p;
  }
}
