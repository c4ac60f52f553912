// Bad input for the seeded streams: the end of a stream's counter range.
import { describe, expect, it } from 'vitest';
import { philoxWords } from '../src/random/index.js';
import { philox4x32 } from '../src/random/philox.js';

const STREAM_WORDS = 2 ** 34; // 2^32 blocks of four words

describe('philoxWords at the end of a stream', () => {
  it('reads the last block, b = 2^32 - 1, and no further: start + count <= 2^34 exactly', () => {
    const last = new Uint32Array(4);
    philox4x32(2 ** 32 - 1, 5, 0, 0, 1, 0, last);
    expect(Array.from(philoxWords(1, 5, STREAM_WORDS - 4, 4))).toEqual(Array.from(last));
    expect(Array.from(philoxWords(1, 5, STREAM_WORDS - 1, 1))).toEqual([last[3]]);
    expect(philoxWords(1, 5, STREAM_WORDS, 0)).toHaveLength(0);
    expect(() => philoxWords(1, 5, STREAM_WORDS - 3, 4)).toThrow(
      /^philoxWords: count must be at most 2\^34 - start = 3 \(a stream has 2\^34 words\), got 4$/,
    );
    expect(() => philoxWords(1, 0, STREAM_WORDS, 1)).toThrow(RangeError);
    expect(() => philoxWords(1, 0, STREAM_WORDS + 4, 0)).toThrow(/philoxWords: start must be an integer in \[0, 17179869184\]/);
  });

  it('never wraps around to the start of the stream (the counter of block 2^32 would be 0)', () => {
    expect(() => philoxWords(1, 0, 2 ** 34, 4)).toThrow(RangeError);
    expect(() => philoxWords(1, 0, 2 ** 34 - 2, 8)).toThrow(RangeError);
  });
});
