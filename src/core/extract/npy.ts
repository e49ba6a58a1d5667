// NumPy's .npy format, version 1.0, for little-endian float32 matrices: the Python reference
// pipeline reads exported features with numpy.load. Layout: magic "\x93NUMPY", version 1.0,
// uint16 LE header length, an ASCII dict literal padded with spaces and ended by "\n" so that the
// data starts on a 64-byte boundary, then the row-major data.
export function npyHeader(rows: number, cols: number): Buffer {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const prefix = 10; // magic (6) + version (2) + header length (2)
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  const header = Buffer.alloc(total, 0x20);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(total - prefix, 8);
  header.write(dict, prefix, 'latin1');
  header[total - 1] = 0x0a;
  return header;
}
