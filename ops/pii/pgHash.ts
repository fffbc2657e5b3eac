/**
 * PostgreSQL's `hashtextextended(text, seed)` in JavaScript: Bob Jenkins' lookup3 over the UTF-8
 * bytes, as src/common/hashfn.c hash_bytes_extended computes it on a little-endian server. The
 * known-value scan of a COPY stream compares values against the very hashes the database scan
 * uses; `knownValueLookup` checks the server agrees on a probe first (a big-endian server does
 * not), and the stream then falls back to the md5 forms.
 *
 * Pure.
 */

const rot = (x: number, k: number) => (x << k) | (x >>> (32 - k));

/** The two 32-bit halves (high, low) of hashtextextended(`bytes`, seed) for seed halves `seedHi`, `seedLo`. */
export function hashBytesExtended(bytes: ArrayLike<number>, seedHi: number, seedLo: number): [number, number] {
    let len = bytes.length;
    let a = (0x9e3779b9 + len + 3923095) | 0;
    let b = a;
    let c = a;
    const mix = () => {
        a = (a - c) | 0; a ^= rot(c, 4); c = (c + b) | 0;
        b = (b - a) | 0; b ^= rot(a, 6); a = (a + c) | 0;
        c = (c - b) | 0; c ^= rot(b, 8); b = (b + a) | 0;
        a = (a - c) | 0; a ^= rot(c, 16); c = (c + b) | 0;
        b = (b - a) | 0; b ^= rot(a, 19); a = (a + c) | 0;
        c = (c - b) | 0; c ^= rot(b, 4); b = (b + a) | 0;
    };
    if (seedHi !== 0 || seedLo !== 0) {
        a = (a + seedHi) | 0;
        b = (b + seedLo) | 0;
        mix();
    }
    let k = 0;
    const word = (i: number) => bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    while (len >= 12) {
        a = (a + word(k)) | 0;
        b = (b + word(k + 4)) | 0;
        c = (c + word(k + 8)) | 0;
        mix();
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
    c ^= b; c = (c - rot(b, 14)) | 0;
    a ^= c; a = (a - rot(c, 11)) | 0;
    b ^= a; b = (b - rot(a, 25)) | 0;
    c ^= b; c = (c - rot(b, 16)) | 0;
    a ^= c; a = (a - rot(c, 4)) | 0;
    b ^= a; b = (b - rot(a, 14)) | 0;
    c ^= b; c = (c - rot(b, 24)) | 0;
    return [b >>> 0, c >>> 0];
}

/** The halves of a signed 64-bit integer written in decimal (a bigint PostgreSQL printed). */
export function int64Halves(decimal: string): [number, number] {
    const v = BigInt.asUintN(64, BigInt(decimal));
    return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

const ascii: number[] = [];

/** hashBytesExtended of a string's UTF-8 bytes (ASCII without a Buffer). */
export function hashTextExtended(text: string, seedHi: number, seedLo: number): [number, number] {
    ascii.length = text.length;
    for (let i = 0; i < text.length; i++) {
        const ch = text.charCodeAt(i);
        if (ch >= 128) return hashBytesExtended(Buffer.from(text, "utf8"), seedHi, seedLo);
        ascii[i] = ch;
    }
    return hashBytesExtended(ascii, seedHi, seedLo);
}
