// Test images made on the fly: a 24-bit BMP with a colourful pattern (so JPEG has work to do).

/** A `width` x `height` BMP file as a Buffer. */
export function bmp(width, height) {
  const rowSize = Math.ceil((width * 3) / 4) * 4;
  const size = 54 + rowSize * height;
  const buf = Buffer.alloc(size);
  buf.write("BM", 0);
  buf.writeUInt32LE(size, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  buf.writeUInt32LE(rowSize * height, 34);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = 54 + y * rowSize + x * 3;
      buf[o] = (x * 7 + y * 3) & 255;
      buf[o + 1] = ((x ^ y) * 5) & 255;
      buf[o + 2] = (Math.sin(x / 37) * 120 + Math.cos(y / 23) * 120 + 128) & 255;
    }
  }
  return buf;
}
