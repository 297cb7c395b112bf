// Test images made on the fly: 24-bit BMPs. `bmp` is photo-like (smooth shading with a few
// edges); `noisy` is a worst case for JPEG (fine detail everywhere).

/** A photo-like `width` x `height` BMP file as a Buffer. */
export function bmp(width, height) {
  return image(width, height, (x, y) => {
    const beam = Math.abs(y - height * 0.6) < height * 0.05 || Math.abs(x - width * 0.3) < width * 0.03;
    const shade = 90 + 100 * Math.sin((x / width) * Math.PI) * Math.cos((y / height) * 1.3);
    return beam ? [40, 60, 70] : [shade * 0.8, shade * 0.95, shade + 40];
  });
}

/** A noisy `width` x `height` BMP file as a Buffer (worst case for JPEG). */
export function noisy(width, height) {
  return image(width, height, (x, y) => [(x * 7 + y * 3) & 255, ((x ^ y) * 5) & 255, (Math.sin(x / 37) * 120 + 128) & 255]);
}

function image(width, height, pixel) {
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
      const [r, g, b] = pixel(x, y);
      buf[o] = Math.max(0, Math.min(255, b));
      buf[o + 1] = Math.max(0, Math.min(255, g));
      buf[o + 2] = Math.max(0, Math.min(255, r));
    }
  }
  return buf;
}
