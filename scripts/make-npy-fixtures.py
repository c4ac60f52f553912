#!/usr/bin/env python3
"""Writes the numpy fixtures of test/io-npy.test.ts into test/fixtures/npy/ (small files, committed), and
reference.safetensors for test/io-safetensors.test.ts when the safetensors package is importable.

Each .npy file is written by numpy itself (np.save, or np.lib.format.write_array for the format versions 2.0 and
3.0); the .npz files by np.savez and np.savez_compressed. expected.json records, for each array, what a reader must
return: dtype (safetensors' names), shape, fortranOrder, descr, and the elements' bytes in C order, little-endian,
as hex (bit exact, NaN payloads included).

reference.safetensors is written by the safetensors package's own writer (safetensors.numpy.save; made with 0.8.0),
so the tests can check that quipsharp reads it and rewrites it byte for byte.

Run from the repository root: python3 scripts/make-npy-fixtures.py  (numpy >= 1.24; these were made with 2.4).
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'npy')

DTYPE_NAMES = {
    'f2': 'F16', 'f4': 'F32', 'f8': 'F64', 'i1': 'I8', 'u1': 'U8', 'i2': 'I16', 'u2': 'U16',
    'i4': 'I32', 'u4': 'U32', 'i8': 'I64', 'u8': 'U64', 'b1': 'BOOL',
}


def extremes(code):
    info = np.iinfo(np.dtype(code))
    return [info.min, -1 if info.min < 0 else 2, 0, 1, info.max]


def float16_specials(order):
    bits = np.array([0x3c00, 0xc100, 0x7bff, 0x0001, 0x7c00, 0x7e01, 0x8000, 0x7c01], dtype='<u2')  # 1, -2.5, 65504, 2^-24, inf, NaN payload 0x201, -0, signaling NaN
    return bits.view('<f2').astype(order + 'f2')


def arrays():
    """(file name, array, write options) of every .npy fixture."""
    f4 = np.array([[0.0, -0.0, 1.5], [np.inf, -np.inf, 1e-45]], dtype='<f4')
    yield 'f4-c.npy', f4, {}
    yield 'f4-be.npy', np.array([[1.0, -2.0], [3.5, 1e30]], dtype='>f4'), {}
    yield 'f8-fortran.npy', np.asfortranarray(np.arange(12, dtype='<f8').reshape(3, 4) * 0.5 - 1), {}
    yield 'f4-be-fortran.npy', np.asfortranarray((np.array([[1, 2], [3, 4], [5, 6]]) / 7).astype('>f4')), {}
    yield 'i2-fortran-3d.npy', np.asfortranarray(np.arange(24, dtype='<i2').reshape(2, 3, 4) - 12), {}
    yield 'f2.npy', float16_specials('<'), {}
    yield 'f2-be.npy', float16_specials('>'), {}
    for code in ['i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8']:
        yield f'{code}.npy', np.array(extremes(code), dtype='<' + code), {}
    for code in ['u2', 'i4', 'i8', 'u8']:
        yield f'{code}-be.npy', np.array(extremes(code), dtype='>' + code), {}
    yield 'bool.npy', np.array([True, False, True, True], dtype='?'), {}
    yield 'scalar.npy', np.array(np.pi, dtype='<f8'), {}
    yield 'empty.npy', np.zeros((0, 3), dtype='<f4'), {}
    yield 'v2.npy', np.array([1.0, 2.0, 3.0], dtype='<f4'), {'version': (2, 0)}
    yield 'v3.npy', np.array([[1, -2], [3, -4]], dtype='<i4'), {'version': (3, 0)}


def describe(a):
    c_le = np.ascontiguousarray(a).astype(a.dtype.newbyteorder('<'), copy=False)
    return {
        'dtype': DTYPE_NAMES[a.dtype.str[1:]],
        'shape': list(a.shape),
        'fortranOrder': bool(a.flags.f_contiguous and not a.flags.c_contiguous),
        'descr': a.dtype.str,
        'hex': c_le.tobytes(order='C').hex(),
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    for name, a, options in arrays():
        with open(os.path.join(OUT, name), 'wb') as f:
            if options:
                np.lib.format.write_array(f, a, **options)
            else:
                np.save(f, a)
        expected[name] = describe(a)
        back = np.load(os.path.join(OUT, name))
        assert back.dtype == a.dtype and back.shape == a.shape and back.tobytes() == a.tobytes(), name

    npz = {
        'savez.npz': (np.savez, {
            'weight': np.arange(6, dtype='<f4').reshape(2, 3) / 3,
            'codes': np.array([0, 1, 65535, 7], dtype='<u2'),
            'flag': np.array([True, False]),
        }),
        'savez-compressed.npz': (np.savez_compressed, {
            'ramp': np.arange(200, dtype='<f8') % 7,
            'big_endian': np.array([[1, -1], [2**40, -2**40]], dtype='>i8'),
            'scalar': np.array(3, dtype='<i2'),
        }),
    }
    for name, (save, members) in npz.items():
        save(os.path.join(OUT, name), **members)
        expected[name] = {k: describe(v) for k, v in members.items()}

    write_reference_safetensors()

    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        lines = [f'  {json.dumps(k)}: {json.dumps(v, sort_keys=True)}' for k, v in sorted(expected.items())]
        f.write('{\n' + ',\n'.join(lines) + '\n}\n')


def write_reference_safetensors():
    try:
        from safetensors.numpy import save
    except ImportError:
        print('safetensors is not installed: reference.safetensors left as it is')
        return
    tensors = {
        'b': np.arange(6, dtype='<f4').reshape(2, 3),
        'a': np.array([1.5, -2, np.nan], dtype='<f2'),
        '\u00e9': np.array([2**62, -1], dtype='<i8'),
        'z.weight': np.array([1, 2, 3], dtype='u1'),
        'mask': np.array([True, False]),
        'i16': np.array([-3, 4], dtype='<i2'),
        'f64': np.array(np.pi, dtype='<f8'),
        'empty': np.zeros((0, 4), dtype='<f4'),
    }
    with open(os.path.join(OUT, 'reference.safetensors'), 'wb') as f:
        f.write(save(tensors, metadata={'format': 'np'}))


if __name__ == '__main__':
    main()
