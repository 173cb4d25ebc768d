//! The OpenStreetMap PBF file format, decoded in place: blobs framed by their headers, inflated
//! (zlib, or stored raw), then the `PrimitiveBlock` protobuf read field by field from the
//! inflated bytes — strings, tags and node references are slices and packed integers decoded
//! straight into reused buffers, with no message structs built. The reader asks for nodes, ways
//! or both, so a pass that needs only ways skips the node groups unread (and the other way round).
//!
//! Format: <https://wiki.openstreetmap.org/wiki/PBF_Format> (`fileformat.proto`,
//! `osmformat.proto`). It replaced the `osmpbf` crate, whose generated protobuf structs copied
//! every block into vectors before the first node was seen. Inflating is libdeflate's (through
//! `libdeflater`): each blob's size is known, which is the case it is fastest at, about twice
//! zlib's speed.

use std::io::Read;

/// Why a PBF file cannot be read; the caller adds the file's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FormatError {
    /// Byte offset of the blob in the file.
    pub offset: u64,
    /// What is wrong.
    pub message: String,
}

impl FormatError {
    fn at(offset: u64, message: impl Into<String>) -> Self {
        FormatError { offset, message: message.into() }
    }
}

/// A blob as framed in the file, still compressed.
#[derive(Debug)]
pub(super) struct RawBlob {
    /// Byte offset of its header's length prefix in the file.
    pub offset: u64,
    /// `OSMHeader`, `OSMData`, or another type (skipped).
    pub kind: BlobKind,
    /// The serialised `Blob` message.
    pub bytes: Vec<u8>,
}

/// The type a blob's header gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BlobKind {
    /// The file's header block.
    Header,
    /// A block of nodes, ways and relations.
    Data,
    /// Anything else (the format lets writers add types; readers skip them).
    Other,
}

/// Largest `BlobHeader` and `Blob` the format allows (64 KiB and 32 MiB).
const MAX_HEADER: usize = 64 << 10;
const MAX_BLOB: usize = 32 << 20;

/// Reads the blobs of a PBF stream one after the other (their decoding can then run in
/// parallel). `None` at the end of the stream.
pub(super) struct BlobStream<R> {
    reader: R,
    offset: u64,
}

impl<R: Read> BlobStream<R> {
    /// Blobs from `reader`, from its start.
    pub fn new(reader: R) -> Self {
        BlobStream { reader, offset: 0 }
    }

    fn read_blob(&mut self) -> Result<Option<RawBlob>, FormatError> {
        let offset = self.offset;
        let mut prefix = [0u8; 4];
        match read_full(&mut self.reader, &mut prefix) {
            Ok(0) => return Ok(None),
            Ok(4) => {}
            Ok(_) => return Err(FormatError::at(offset, "the file ends inside a blob's length prefix (truncated download?)")),
            Err(e) => return Err(FormatError::at(offset, format!("read error: {e}"))),
        }
        let header_len = u32::from_be_bytes(prefix) as usize;
        if header_len > MAX_HEADER {
            return Err(FormatError::at(offset, format!("blob header of {header_len} bytes (at most {MAX_HEADER}): not a PBF file?")));
        }
        let mut header = vec![0u8; header_len];
        self.read_exact(&mut header, offset, "blob header")?;
        let (mut kind, mut size) = (BlobKind::Other, None);
        let mut c = Cursor::new(&header);
        while let Some((field, value)) = c.field().map_err(|m| FormatError::at(offset, format!("blob header: {m}")))? {
            match (field, value) {
                (1, Value::Bytes(t)) => {
                    kind = match t {
                        b"OSMHeader" => BlobKind::Header,
                        b"OSMData" => BlobKind::Data,
                        _ => BlobKind::Other,
                    };
                }
                (3, Value::Varint(n)) => size = Some(n),
                _ => {}
            }
        }
        let size = size.ok_or_else(|| FormatError::at(offset, "blob header without its data size"))?;
        let size = usize::try_from(size)
            .ok()
            .filter(|&s| s <= MAX_BLOB)
            .ok_or_else(|| FormatError::at(offset, format!("blob of {size} bytes (at most {MAX_BLOB}): not a PBF file?")))?;
        let mut bytes = vec![0u8; size];
        self.read_exact(&mut bytes, offset, "blob")?;
        self.offset += 4 + header_len as u64 + size as u64;
        Ok(Some(RawBlob { offset, kind, bytes }))
    }

    fn read_exact(&mut self, buf: &mut [u8], offset: u64, what: &str) -> Result<(), FormatError> {
        match read_full(&mut self.reader, buf) {
            Ok(n) if n == buf.len() => Ok(()),
            Ok(_) => Err(FormatError::at(offset, format!("the file ends inside a {what} (truncated download?)"))),
            Err(e) => Err(FormatError::at(offset, format!("read error: {e}"))),
        }
    }
}

impl<R: Read> Iterator for BlobStream<R> {
    type Item = Result<RawBlob, FormatError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.read_blob().transpose()
    }
}

/// Reads until `buf` is full or the stream ends; the number of bytes read.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

impl RawBlob {
    /// The blob's content, inflated into `out` (cleared first).
    pub fn inflate_into(&self, out: &mut Vec<u8>) -> Result<(), FormatError> {
        out.clear();
        let (mut raw, mut raw_size, mut zlib) = (None, None, None);
        let mut c = Cursor::new(&self.bytes);
        while let Some((field, value)) = c.field().map_err(|m| self.error(format!("blob: {m}")))? {
            match (field, value) {
                (1, Value::Bytes(b)) => raw = Some(b),
                (2, Value::Varint(n)) => raw_size = usize::try_from(n).ok(),
                (3, Value::Bytes(b)) => zlib = Some(b),
                (4..=7, Value::Bytes(_)) => {
                    let name = ["LZMA", "bzip2", "LZ4", "Zstandard"][field as usize - 4];
                    return Err(self.error(format!(
                        "blob compressed with {name}, which fragnum does not read (zlib only, as Geofabrik and osmium write)"
                    )));
                }
                _ => {}
            }
        }
        if let Some(raw) = raw {
            out.extend_from_slice(raw);
            return Ok(());
        }
        let zlib = zlib.ok_or_else(|| self.error("blob without data"))?;
        let expected = raw_size.filter(|&n| n <= MAX_BLOB).ok_or_else(|| self.error("zlib blob without a valid raw size"))?;
        out.resize(expected, 0);
        match libdeflater::Decompressor::new().zlib_decompress(zlib, out) {
            Ok(n) if n == expected => Ok(()),
            Ok(n) => Err(self.error(format!("zlib blob inflates to {n} bytes, not the {expected} its header gives"))),
            Err(e) => Err(self.error(format!("zlib blob does not inflate to the {expected} bytes its header gives: {e}"))),
        }
    }

    fn error(&self, message: impl Into<String>) -> FormatError {
        FormatError::at(self.offset, message)
    }
}

/// A protobuf field value.
#[derive(Debug, Clone, Copy)]
enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// Reads protobuf fields off a byte slice.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Cursor { buf, pos: 0 }
    }

    #[inline]
    fn varint(&mut self) -> Result<u64, &'static str> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let Some(&b) = self.buf.get(self.pos) else { return Err("message cut inside a number") };
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err("number longer than 10 bytes")
    }

    /// The next field (number, value); `None` at the end.
    fn field(&mut self) -> Result<Option<(u32, Value<'a>)>, &'static str> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let field = u32::try_from(key >> 3).map_err(|_| "field number out of range")?;
        let value = match key & 7 {
            0 => Value::Varint(self.varint()?),
            1 => self.skip(8)?,
            2 => {
                let len = usize::try_from(self.varint()?).map_err(|_| "length out of range")?;
                let end = self.pos.checked_add(len).filter(|&e| e <= self.buf.len()).ok_or("message cut inside a field")?;
                let bytes = &self.buf[self.pos..end];
                self.pos = end;
                Value::Bytes(bytes)
            }
            5 => self.skip(4)?,
            _ => return Err("unknown protobuf wire type"),
        };
        Ok(Some((field, value)))
    }

    fn skip(&mut self, n: usize) -> Result<Value<'a>, &'static str> {
        self.pos = self.pos.checked_add(n).filter(|&e| e <= self.buf.len()).ok_or("message cut inside a field")?;
        Ok(Value::Fixed)
    }
}

/// Decodes packed varints into `out` (cleared first).
fn packed(bytes: &[u8], out: &mut Vec<u64>) -> Result<(), &'static str> {
    out.clear();
    let mut c = Cursor::new(bytes);
    while c.pos < bytes.len() {
        out.push(c.varint()?);
    }
    Ok(())
}

/// Decodes packed zigzag-encoded, delta-coded `sint64` into their running sums (cleared first).
fn packed_delta(bytes: &[u8], out: &mut Vec<i64>) -> Result<(), &'static str> {
    out.clear();
    let mut c = Cursor::new(bytes);
    let mut running = 0i64;
    while c.pos < bytes.len() {
        running = running.wrapping_add(zigzag(c.varint()?));
        out.push(running);
    }
    Ok(())
}

#[inline]
fn zigzag(n: u64) -> i64 {
    (n >> 1).cast_signed() ^ -(n & 1).cast_signed()
}

/// Which elements a pass wants from each block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Wanted {
    /// Nodes (plain and dense).
    pub nodes: bool,
    /// Ways.
    pub ways: bool,
}

/// The tags of one element: pairs of indices into the block's string table.
#[derive(Clone, Copy)]
pub(super) struct Tags<'b> {
    strings: &'b [&'b [u8]],
    keys: &'b [u64],
    /// Values beside `keys` (ways, plain nodes), or `None` when `keys` interleaves keys and
    /// values (dense nodes).
    values: Option<&'b [u64]>,
}

impl<'b> Tags<'b> {
    /// The tags as text, in order; like other readers it stops at the first tag whose key or
    /// value is not UTF-8 or not in the string table.
    pub fn iter(&self) -> TagIter<'b> {
        TagIter { tags: *self, next: 0 }
    }
}

/// The tags of an element as `(key, value)` text ([`Tags::iter`]).
pub(super) struct TagIter<'b> {
    tags: Tags<'b>,
    next: usize,
}

impl<'b> Iterator for TagIter<'b> {
    type Item = (&'b str, &'b str);

    fn next(&mut self) -> Option<Self::Item> {
        let t = self.tags;
        let (k, v) = match t.values {
            Some(values) => (*t.keys.get(self.next)?, *values.get(self.next)?),
            None => (*t.keys.get(2 * self.next)?, *t.keys.get(2 * self.next + 1)?),
        };
        let text = |i: u64| -> Option<&'b str> { std::str::from_utf8(t.strings.get(usize::try_from(i).ok()?)?).ok() };
        if let (Some(k), Some(v)) = (text(k), text(v)) {
            self.next += 1;
            Some((k, v))
        } else {
            self.next = usize::MAX / 2; // fused: nothing after a broken tag
            None
        }
    }
}

/// What a block gives its visitor.
pub(super) trait Visitor {
    /// A node: id, longitude, latitude (degrees), tags.
    fn node(&mut self, id: i64, lon: f64, lat: f64, tags: Tags<'_>);
    /// A way: its tags and node ids.
    fn way(&mut self, tags: Tags<'_>, refs: &[i64]);
}

/// Buffers reused from block to block by one decoding thread.
#[derive(Default)]
pub(super) struct Scratch {
    inflated: Vec<u8>,
    ids: Vec<i64>,
    lats: Vec<i64>,
    lons: Vec<i64>,
    keys: Vec<u64>,
    values: Vec<u64>,
    refs: Vec<i64>,
}

/// Decodes an `OSMData` blob, calling `visitor` for the wanted elements in file order.
pub(super) fn decode_data(blob: &RawBlob, wanted: Wanted, scratch: &mut Scratch, visitor: &mut impl Visitor) -> Result<(), FormatError> {
    let mut inflated = std::mem::take(&mut scratch.inflated);
    blob.inflate_into(&mut inflated)?;
    let result = decode_block(&inflated, wanted, scratch, visitor).map_err(|m| blob.error(format!("data block: {m}")));
    scratch.inflated = inflated;
    result
}

/// A `PrimitiveBlock`'s coordinate frame: `lat = 1e-9 · (lat_offset + granularity · stored)`.
#[derive(Clone, Copy)]
struct Frame {
    granularity: i64,
    lat_offset: i64,
    lon_offset: i64,
}

impl Frame {
    /// Degrees from stored (lat, lon), computed as the reference readers do (nanodegrees as an
    /// integer, then one multiplication), so positions are bit-for-bit theirs.
    #[inline]
    fn degrees(&self, lat: i64, lon: i64) -> (f64, f64) {
        let nano_lat = self.lat_offset + self.granularity * lat;
        let nano_lon = self.lon_offset + self.granularity * lon;
        (1e-9 * nano_lon as f64, 1e-9 * nano_lat as f64)
    }
}

fn decode_block(block: &[u8], wanted: Wanted, s: &mut Scratch, visitor: &mut impl Visitor) -> Result<(), &'static str> {
    // The string table, the frame, and the groups, which may come in any order.
    let mut strings: Vec<&[u8]> = Vec::new();
    let mut groups: Vec<&[u8]> = Vec::new();
    let mut frame = Frame { granularity: 100, lat_offset: 0, lon_offset: 0 };
    let mut c = Cursor::new(block);
    while let Some((field, value)) = c.field()? {
        match (field, value) {
            (1, Value::Bytes(table)) => {
                let mut t = Cursor::new(table);
                while let Some((f, v)) = t.field()? {
                    if let (1, Value::Bytes(text)) = (f, v) {
                        strings.push(text);
                    }
                }
            }
            (2, Value::Bytes(group)) => groups.push(group),
            (17, Value::Varint(g)) => frame.granularity = i64::try_from(g).map_err(|_| "granularity out of range")?,
            (19, Value::Varint(o)) => frame.lat_offset = o.cast_signed(),
            (20, Value::Varint(o)) => frame.lon_offset = o.cast_signed(),
            _ => {}
        }
    }
    for group in groups {
        let mut g = Cursor::new(group);
        while let Some((field, value)) = g.field()? {
            let Value::Bytes(bytes) = value else { continue };
            match field {
                1 if wanted.nodes => plain_node(bytes, frame, &strings, s, visitor)?,
                2 if wanted.nodes => dense_nodes(bytes, frame, &strings, s, visitor)?,
                3 if wanted.ways => way(bytes, &strings, s, visitor)?,
                _ => {}
            }
        }
    }
    Ok(())
}

fn plain_node(bytes: &[u8], frame: Frame, strings: &[&[u8]], s: &mut Scratch, visitor: &mut impl Visitor) -> Result<(), &'static str> {
    let (mut id, mut lat, mut lon) = (0i64, 0i64, 0i64);
    s.keys.clear();
    s.values.clear();
    let mut c = Cursor::new(bytes);
    while let Some((field, value)) = c.field()? {
        match (field, value) {
            (1, Value::Varint(v)) => id = zigzag(v),
            (2, Value::Bytes(b)) => packed(b, &mut s.keys)?,
            (3, Value::Bytes(b)) => packed(b, &mut s.values)?,
            (8, Value::Varint(v)) => lat = zigzag(v),
            (9, Value::Varint(v)) => lon = zigzag(v),
            _ => {}
        }
    }
    let (lon, lat) = frame.degrees(lat, lon);
    visitor.node(id, lon, lat, Tags { strings, keys: &s.keys, values: Some(&s.values) });
    Ok(())
}

fn dense_nodes(bytes: &[u8], frame: Frame, strings: &[&[u8]], s: &mut Scratch, visitor: &mut impl Visitor) -> Result<(), &'static str> {
    s.ids.clear();
    s.lats.clear();
    s.lons.clear();
    s.keys.clear();
    let mut c = Cursor::new(bytes);
    while let Some((field, value)) = c.field()? {
        match (field, value) {
            (1, Value::Bytes(b)) => packed_delta(b, &mut s.ids)?,
            (8, Value::Bytes(b)) => packed_delta(b, &mut s.lats)?,
            (9, Value::Bytes(b)) => packed_delta(b, &mut s.lons)?,
            (10, Value::Bytes(b)) => packed(b, &mut s.keys)?,
            _ => {}
        }
    }
    if s.lats.len() != s.ids.len() || s.lons.len() != s.ids.len() {
        return Err("dense nodes with as many ids as latitudes and longitudes");
    }
    // `keys_vals`: each node's key, value pairs, then a 0; empty when no node has a tag.
    let mut at = 0usize;
    for k in 0..s.ids.len() {
        let start = at.min(s.keys.len());
        let mut end = start;
        while end + 1 < s.keys.len() && s.keys[end] != 0 {
            end += 2;
        }
        at = end + 1;
        let (lon, lat) = frame.degrees(s.lats[k], s.lons[k]);
        visitor.node(s.ids[k], lon, lat, Tags { strings, keys: &s.keys[start..end.min(s.keys.len())], values: None });
    }
    Ok(())
}

fn way(bytes: &[u8], strings: &[&[u8]], s: &mut Scratch, visitor: &mut impl Visitor) -> Result<(), &'static str> {
    s.keys.clear();
    s.values.clear();
    s.refs.clear();
    let mut c = Cursor::new(bytes);
    while let Some((field, value)) = c.field()? {
        match (field, value) {
            (2, Value::Bytes(b)) => packed(b, &mut s.keys)?,
            (3, Value::Bytes(b)) => packed(b, &mut s.values)?,
            (8, Value::Bytes(b)) => packed_delta(b, &mut s.refs)?,
            _ => {}
        }
    }
    visitor.way(Tags { strings, keys: &s.keys, values: Some(&s.values) }, &s.refs);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_zigzag_and_packed_deltas() {
        let mut c = Cursor::new(&[0x96, 0x01, 0x7f]);
        assert_eq!(c.varint(), Ok(150));
        assert_eq!(c.varint(), Ok(127));
        assert!(c.varint().is_err());
        assert_eq!((zigzag(0), zigzag(1), zigzag(2), zigzag(3)), (0, -1, 1, -2));
        let mut out = Vec::new();
        // +5, -2, +10 as zigzag varints: 10, 3, 20
        packed_delta(&[10, 3, 20], &mut out).unwrap();
        assert_eq!(out, [5, 3, 13]);
        assert!(packed_delta(&[0x80], &mut out).is_err());
    }

    #[test]
    fn truncated_and_foreign_files_are_errors() {
        let mut s = BlobStream::new(&[0u8, 0, 0][..]);
        assert!(s.next().unwrap().unwrap_err().message.contains("truncated"));
        let mut s = BlobStream::new(&b"<?xml version='1.0'?><osm>"[..]);
        assert!(s.next().unwrap().unwrap_err().message.contains("not a PBF file"));
        assert!(BlobStream::new(&[][..]).next().is_none());
    }

    #[test]
    fn dense_tags_split_at_zeros() {
        struct Seen(Vec<(i64, Vec<(String, String)>)>);
        impl Visitor for Seen {
            fn node(&mut self, id: i64, _: f64, _: f64, tags: Tags<'_>) {
                self.0.push((id, tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()));
            }
            fn way(&mut self, _: Tags<'_>, _: &[i64]) {}
        }
        let strings: Vec<&[u8]> = vec![b"", b"amenity", b"townhall", b"name", b"Vaduz"];
        // A `DenseNodes` message of three nodes (ids 1, 2, 3 as deltas of 1, zigzag 2), all at
        // 0, 0; node 1 has no tag, node 2 amenity=townhall and name=Vaduz, node 3 none.
        let keys_vals = [0u8, 1, 2, 3, 4, 0, 0];
        let mut group = Vec::new();
        for (field, body) in [(1u8, &[2u8, 2, 2][..]), (8, &[0, 0, 0]), (9, &[0, 0, 0]), (10, &keys_vals)] {
            group.extend([(field << 3) | 2, body.len() as u8]);
            group.extend_from_slice(body);
        }
        let mut seen = Seen(Vec::new());
        let frame = Frame { granularity: 100, lat_offset: 0, lon_offset: 0 };
        dense_nodes(&group, frame, &strings, &mut Scratch::default(), &mut seen).unwrap();
        let tags: Vec<usize> = seen.0.iter().map(|n| n.1.len()).collect();
        assert_eq!(seen.0.iter().map(|n| n.0).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(tags, [0, 2, 0]);
        assert_eq!(seen.0[1].1[1], ("name".to_string(), "Vaduz".to_string()));
    }
}
