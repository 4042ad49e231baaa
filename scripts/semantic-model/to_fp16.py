#!/usr/bin/env python3
"""fp32 safetensors -> fp16 safetensors, stdlib only (struct 'e' = IEEE half, round-to-nearest-even)."""
import json, struct, sys
src, dst = sys.argv[1], sys.argv[2]
with open(src, 'rb') as f:
    n = struct.unpack('<Q', f.read(8))[0]
    hdr = json.loads(f.read(n))
    base = 8 + n
    meta = hdr.pop('__metadata__', None)
    out_hdr, chunks, off = {}, [], 0
    for name in sorted(hdr, key=lambda k: hdr[k]['data_offsets'][0]):
        t = hdr[name]; a, b = t['data_offsets']
        f.seek(base + a); raw = f.read(b - a)
        if t['dtype'] == 'F32':
            cnt = (b - a) // 4
            raw = struct.pack('<%de' % cnt, *struct.unpack('<%df' % cnt, raw))
            dt = 'F16'
        else:
            dt = t['dtype']
        out_hdr[name] = {'dtype': dt, 'shape': t['shape'], 'data_offsets': [off, off + len(raw)]}
        chunks.append(raw); off += len(raw)
if meta is not None: out_hdr['__metadata__'] = meta
h = json.dumps(out_hdr, separators=(',', ':')).encode()
h += b' ' * ((8 - len(h) % 8) % 8)
with open(dst, 'wb') as g:
    g.write(struct.pack('<Q', len(h))); g.write(h)
    for c in chunks: g.write(c)
