/**
 * A short fingerprint of images [start, end) of a data set (pixels and labels), so that a stored
 * measurement (the drop at discretisation, random search's held-out accuracy) is reused only on
 * the data it was measured on.
 */
import { createHash } from 'crypto';
import type { Dataset } from './dataset';

/** sha256 of the images' bytes and labels, 12 hex digits. */
export function dataFingerprint(d: Dataset, start = 0, end = d.n): string {
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= d.n)) {
    throw new Error(`dataFingerprint: [${start}, ${end}) is not a range of ${d.name}'s ${d.n} images`);
  }
  const pixels = d.height * d.width * d.channels;
  return createHash('sha256')
    .update(d.images.subarray(start * pixels, end * pixels))
    .update(d.labels.subarray(start, end))
    .digest('hex')
    .slice(0, 12);
}
