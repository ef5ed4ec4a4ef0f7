/**
 * Compares two byte arrays in time that depends only on their lengths, never on where they first differ, so a
 * caller timing validate cannot learn a stored hash byte by byte. Both inputs here are fixed-length digests.
 */
export const constantTimeEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  let difference = a.length ^ b.length;
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    // Out-of-range reads give undefined -> 0; the loop still runs the full length.
    difference |= ((a[i] ?? 0) ^ (b[i] ?? 0)) & 0xff;
  }
  return difference === 0;
};
