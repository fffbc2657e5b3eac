/**
 * PostgreSQL's `hashtextextended(text, seed)` in JavaScript: Bob Jenkins' lookup3 over the UTF-8
 * bytes, as src/common/hashfn.c hash_bytes_extended computes it on a little-endian server. The
 * known-value scan of a COPY stream compares values against the very hashes the database scan
 * uses; `knownValueLookup` checks the server agrees on a probe first (a big-endian server does
 * not), and the stream then falls back to the md5 forms.
 *
 * Pure.
 */

/** The two 32-bit halves (high, low) of hashtextextended over `bytes` for seed halves `seedHi`, `seedLo`. */
export function hashBytesExtended(bytes: ArrayLike<number>, seedHi: number, seedLo: number): [number, number] {
    hashInto(bytes, bytes.length, seedHi, seedLo);
    return [hashed[0], hashed[1]];
}

/** Where hashInto leaves the halves (high, low): no allocation per value. */
export const hashed = new Uint32Array(2);

/** hashBytesExtended over `bytes[0 .. length)`, the result in `hashed`. */
export function hashInto(bytes: ArrayLike<number>, length: number, seedHi: number, seedLo: number): void {
    // The mix and final steps of lookup3 are written out: this runs for every value of a copy.
    let len = length;
    let a = (0x9e3779b9 + len + 3923095) | 0;
    let b = a;
    let c = a;
    if (seedHi !== 0 || seedLo !== 0) {
        a = (a + seedHi) | 0;
        b = (b + seedLo) | 0;
        a = (a - c) | 0;
        a ^= (c << 4) | (c >>> 28);
        c = (c + b) | 0;
        b = (b - a) | 0;
        b ^= (a << 6) | (a >>> 26);
        a = (a + c) | 0;
        c = (c - b) | 0;
        c ^= (b << 8) | (b >>> 24);
        b = (b + a) | 0;
        a = (a - c) | 0;
        a ^= (c << 16) | (c >>> 16);
        c = (c + b) | 0;
        b = (b - a) | 0;
        b ^= (a << 19) | (a >>> 13);
        a = (a + c) | 0;
        c = (c - b) | 0;
        c ^= (b << 4) | (b >>> 28);
        b = (b + a) | 0;
    }
    let k = 0;
    while (len >= 12) {
        a = (a + (bytes[k] | (bytes[k + 1] << 8) | (bytes[k + 2] << 16) | (bytes[k + 3] << 24))) | 0;
        b = (b + (bytes[k + 4] | (bytes[k + 5] << 8) | (bytes[k + 6] << 16) | (bytes[k + 7] << 24))) | 0;
        c = (c + (bytes[k + 8] | (bytes[k + 9] << 8) | (bytes[k + 10] << 16) | (bytes[k + 11] << 24))) | 0;
        a = (a - c) | 0;
        a ^= (c << 4) | (c >>> 28);
        c = (c + b) | 0;
        b = (b - a) | 0;
        b ^= (a << 6) | (a >>> 26);
        a = (a + c) | 0;
        c = (c - b) | 0;
        c ^= (b << 8) | (b >>> 24);
        b = (b + a) | 0;
        a = (a - c) | 0;
        a ^= (c << 16) | (c >>> 16);
        c = (c + b) | 0;
        b = (b - a) | 0;
        b ^= (a << 19) | (a >>> 13);
        a = (a + c) | 0;
        c = (c - b) | 0;
        c ^= (b << 4) | (b >>> 28);
        b = (b + a) | 0;
        k += 12;
        len -= 12;
    }
    // The last 11 bytes; the lowest byte of c is left for the length (hashfn.c).
    if (len >= 11) c = (c + (bytes[k + 10] << 24)) | 0;
    if (len >= 10) c = (c + (bytes[k + 9] << 16)) | 0;
    if (len >= 9) c = (c + (bytes[k + 8] << 8)) | 0;
    if (len >= 8) b = (b + (bytes[k + 7] << 24)) | 0;
    if (len >= 7) b = (b + (bytes[k + 6] << 16)) | 0;
    if (len >= 6) b = (b + (bytes[k + 5] << 8)) | 0;
    if (len >= 5) b = (b + bytes[k + 4]) | 0;
    if (len >= 4) a = (a + (bytes[k + 3] << 24)) | 0;
    if (len >= 3) a = (a + (bytes[k + 2] << 16)) | 0;
    if (len >= 2) a = (a + (bytes[k + 1] << 8)) | 0;
    if (len >= 1) a = (a + bytes[k]) | 0;
    c ^= b;
    c = (c - ((b << 14) | (b >>> 18))) | 0;
    a ^= c;
    a = (a - ((c << 11) | (c >>> 21))) | 0;
    b ^= a;
    b = (b - ((a << 25) | (a >>> 7))) | 0;
    c ^= b;
    c = (c - ((b << 16) | (b >>> 16))) | 0;
    a ^= c;
    a = (a - ((c << 4) | (c >>> 28))) | 0;
    b ^= a;
    b = (b - ((a << 14) | (a >>> 18))) | 0;
    c ^= b;
    c = (c - ((b << 24) | (b >>> 8))) | 0;
    hashed[0] = b;
    hashed[1] = c;
}

/** The halves of a signed 64-bit integer written in decimal (a bigint PostgreSQL printed). */
export function int64Halves(decimal: string): [number, number] {
    const v = BigInt.asUintN(64, BigInt(decimal));
    return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

/** hashBytesExtended of a string's UTF-8 bytes. */
export function hashTextExtended(text: string, seedHi: number, seedLo: number): [number, number] {
    return hashBytesExtended(Buffer.from(text, "utf8"), seedHi, seedLo);
}
