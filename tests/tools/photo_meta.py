#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""photo_meta.py - dress a photo in metadata, and list what a photo carries.

  photo_meta.py jpeg IN.jpg OUT.jpg [ORIENTATION]
      OUT.jpg: IN.jpg's image data behind an APP1 Exif segment (Make, Model,
      DateTimeOriginal, Orientation (default 1), a GPS IFD at 52.5 N 13.4 E,
      and an embedded JPEG thumbnail in IFD1), an APP1 XMP packet, an APP2
      ICC_PROFILE (a real sRGB-sized profile header with a marker string), an
      APP13 Photoshop IRB and a COM comment.  IN.jpg's own APPn/COM segments
      are dropped first, so the result carries exactly these.

  photo_meta.py png IN.png OUT.png [ORIENTATION]
      OUT.png: IN.png's chunks with tEXt (Comment), zTXt (Author), iTXt (XMP),
      iCCP, eXIf (Orientation, GPS) and tIME added before the first IDAT.

  photo_meta.py list FILE
      One line per JPEG segment up to the scan ("SOI", "APP0 JFIF",
      "APP1 Exif", "COM", "DQT", ..., "SOS", then "EOI" if the file ends with
      it) or per PNG chunk ("IHDR", "tEXt", ...).

  photo_meta.py secrets FILE
      Prints every marker string this tool plants that FILE still contains
      (nothing: none left).

Standard library only (struct, zlib): exiftool is not needed.
"""
import struct
import sys
import zlib

MARKERS = [b"OBSCURA-SECRET-MAKE", b"OBSCURA-SECRET-COMMENT", b"OBSCURA-SECRET-XMP",
           b"OBSCURA-SECRET-ICC", b"OBSCURA-SECRET-IRB", b"OBSCURA-SECRET-PNGTEXT",
           b"2026:01:02 03:04:05"]


def tiff(orientation, thumb):
    """A little-endian TIFF (Exif) block: IFD0 (Make, Model, Orientation,
    ExifIFD, GPSIFD), Exif IFD (DateTimeOriginal), GPS IFD, and IFD1 with the
    thumbnail when given."""
    out = bytearray(b"II*\x00" + struct.pack("<I", 8))
    blobs = []  # (patch offset, bytes) appended after the IFDs

    def ifd(entries, next_ifd_at=None):
        start = len(out)
        out.extend(struct.pack("<H", len(entries)))
        for tag, typ, count, value in entries:
            if isinstance(value, bytes):
                if len(value) <= 4:
                    out.extend(struct.pack("<HHI", tag, typ, count) + value.ljust(4, b"\0"))
                else:
                    out.extend(struct.pack("<HHI", tag, typ, count))
                    blobs.append((len(out), value))
                    out.extend(b"\0\0\0\0")
            else:
                fmt = "<HHIH2x" if typ == 3 else "<HHII"
                out.extend(struct.pack(fmt, tag, typ, count, value))
        link = len(out)
        out.extend(b"\0\0\0\0")
        return start, link

    make = b"OBSCURA-SECRET-MAKE\0"
    model = b"TestCam 1\0"
    # IFD0: offsets of the sub-IFDs are patched once they are placed.
    _, ifd0_next = ifd([(0x010F, 2, len(make), make), (0x0110, 2, len(model), model),
                        (0x0112, 3, 1, orientation), (0x8769, 4, 1, 0), (0x8825, 4, 1, 0)])
    exif_ptr = 8 + 2 + 3 * 12 + 8
    gps_ptr = 8 + 2 + 4 * 12 + 8
    for off, blob in blobs:
        struct.pack_into("<I", out, off, len(out))
        out.extend(blob)
    blobs.clear()
    struct.pack_into("<I", out, exif_ptr, len(out))
    date = b"2026:01:02 03:04:05\0"
    ifd([(0x9003, 2, len(date), date)])
    for off, blob in blobs:
        struct.pack_into("<I", out, off, len(out))
        out.extend(blob)
    blobs.clear()
    struct.pack_into("<I", out, gps_ptr, len(out))
    rat = lambda *v: b"".join(struct.pack("<II", n, d) for n, d in v)
    ifd([(0x0001, 2, 2, b"N\0"), (0x0002, 5, 3, rat((52, 1), (30, 1), (1234, 100))),
         (0x0003, 2, 2, b"E\0"), (0x0004, 5, 3, rat((13, 1), (24, 1), (5678, 100)))])
    for off, blob in blobs:
        struct.pack_into("<I", out, off, len(out))
        out.extend(blob)
    blobs.clear()
    if thumb:
        struct.pack_into("<I", out, ifd0_next, len(out))
        _, _ = ifd([(0x0103, 3, 1, 6), (0x0201, 4, 1, 0), (0x0202, 4, 1, len(thumb))])
        # JPEGInterchangeFormat is the second-to-last entry's value.
        struct.pack_into("<I", out, len(out) - 4 - 12 - 4, len(out))
        out.extend(thumb)
    return bytes(out)


def icc_profile():
    body = bytearray(128)
    body[36:40] = b"acsp"
    body[12:16] = b"mntr"
    body[16:20] = b"RGB "
    body += struct.pack(">I", 0) + b"OBSCURA-SECRET-ICC" * 4
    struct.pack_into(">I", body, 0, len(body))
    return bytes(body)


XMP = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
       b'xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="OBSCURA-SECRET-XMP"/></rdf:RDF>'
       b'</x:xmpmeta><?xpacket end="w"?>')


def segment(marker, payload):
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def jpeg_segments(data):
    """(marker, payload) up to SOS, then the rest of the file from SOS on."""
    if data[:2] != b"\xff\xd8":
        sys.exit("not a JPEG")
    p, segs = 2, []
    while p + 4 <= len(data):
        if data[p] != 0xFF:
            sys.exit("bad JPEG segment at %d" % p)
        m = data[p + 1]
        if m == 0xFF:
            p += 1
            continue
        n = struct.unpack(">H", data[p + 2:p + 4])[0]
        if m == 0xDA:
            return segs, data[p:]
        segs.append((m, data[p + 4:p + 2 + n]))
        p += 2 + n
    return segs, b""


def dress_jpeg(src, dst, orientation):
    data = open(src, "rb").read()
    segs, rest = jpeg_segments(data)
    thumb_src = open(sys.argv[5], "rb").read() if len(sys.argv) > 5 else None
    thumb = thumb_src or b"\xff\xd8\xff\xfe\x00\x16OBSCURA-THUMBNAIL-\xff\xd9"
    out = bytearray(b"\xff\xd8")
    for m, payload in segs:
        if m == 0xE0:
            out += segment(m, payload)
    out += segment(0xE1, b"Exif\0\0" + tiff(orientation, thumb))
    out += segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0" + XMP)
    out += segment(0xE2, b"ICC_PROFILE\0\x01\x01" + icc_profile())
    out += segment(0xED, b"Photoshop 3.0\0" + b"8BIM\x04\x04\0\0\0\0\0\x16OBSCURA-SECRET-IRB\0\0\0\0")
    out += segment(0xFE, b"OBSCURA-SECRET-COMMENT at the scene")
    for m, payload in segs:
        if not (0xE0 <= m <= 0xEF or m == 0xFE):
            out += segment(m, payload)
    out += rest
    open(dst, "wb").write(out)


def png_chunks(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("not a PNG")
    p, chunks = 8, []
    while p + 8 <= len(data):
        n, typ = struct.unpack(">I4s", data[p:p + 8])
        chunks.append((typ, data[p + 8:p + 8 + n]))
        p += 12 + n
    return chunks


def chunk(typ, payload):
    return struct.pack(">I4s", len(payload), typ) + payload + struct.pack(">I", zlib.crc32(typ + payload))


def dress_png(src, dst, orientation):
    chunks = png_chunks(open(src, "rb").read())
    extra = [
        chunk(b"tEXt", b"Comment\0OBSCURA-SECRET-PNGTEXT"),
        chunk(b"zTXt", b"Author\0\0" + zlib.compress(b"OBSCURA-SECRET-PNGTEXT author")),
        chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0" + XMP),
        chunk(b"iCCP", b"test profile\0\0" + zlib.compress(icc_profile())),
        chunk(b"eXIf", tiff(orientation, None)),
        chunk(b"tIME", struct.pack(">HBBBBB", 2026, 1, 2, 3, 4, 5)),
    ]
    out = bytearray(b"\x89PNG\r\n\x1a\n")
    done = False
    for typ, payload in chunks:
        if typ == b"IDAT" and not done:
            out += b"".join(extra)
            done = True
        out += chunk(typ, payload)
    open(dst, "wb").write(out)


NAMES = {0xD8: "SOI", 0xDB: "DQT", 0xC4: "DHT", 0xDD: "DRI", 0xFE: "COM", 0xDA: "SOS"}


def list_file(path):
    data = open(path, "rb").read()
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        for typ, _ in png_chunks(data):
            print(typ.decode("latin-1"))
        return
    segs, rest = jpeg_segments(data)
    print("SOI")
    for m, payload in segs:
        if 0xE0 <= m <= 0xEF:
            ident = payload.split(b"\0", 1)[0][:32].decode("latin-1")
            print("APP%d %s" % (m - 0xE0, ident))
        elif 0xC0 <= m <= 0xCF and m not in (0xC4, 0xC8, 0xCC):
            print("SOF%d" % (m - 0xC0))
        else:
            print(NAMES.get(m, "FF%02X" % m))
    if rest:
        print("SOS")
    if data.endswith(b"\xff\xd9"):
        print("EOI")


def secrets(path):
    data = open(path, "rb").read()
    for m in MARKERS:
        if m in data:
            print(m.decode())


def main():
    if len(sys.argv) >= 4 and sys.argv[1] in ("jpeg", "png"):
        orientation = int(sys.argv[4]) if len(sys.argv) > 4 else 1
        (dress_jpeg if sys.argv[1] == "jpeg" else dress_png)(sys.argv[2], sys.argv[3], orientation)
    elif len(sys.argv) == 3 and sys.argv[1] == "list":
        list_file(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "secrets":
        secrets(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
