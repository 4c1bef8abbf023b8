#!/usr/bin/env python3
"""Decode R lazy-load data databases (data/Rdata.rdx + data/Rdata.rdb) and write balora's text files.

Python 3 standard library only. Used by scripts/fetch-data.sh; see data/*/README.md.

Format notes (from reading R's serialize.c and the files themselves):
  * Rdata.rdx is a gzip'd R serialization of list(variables=, references=, compressed=); each variable
    maps to c(offset, length) in Rdata.rdb.
  * An Rdata.rdb entry is a 4-byte big-endian uncompressed length followed by zlib data, or, when the
    package was built with xz compression, the length, a type byte ('Z' raw LZMA2, '2' bzip2, '1' zlib,
    '0' stored) and the data.
  * The payload is R's XDR ("X\\n") serialization, versions 2 and 3.

Usage:
  convert_rdata.py food-reviews MODELDATA_DIR OUT_DIR   -> food-reviews-{train,test}.tsv
  convert_rdata.py austen JANEAUSTENR_DIR OUT_DIR        -> one .txt per novel
"""
import bz2
import csv
import gzip
import lzma
import os
import struct
import sys
import zlib

NA_INT = -2147483648


class RObject:
    """A decoded R value: its SEXP type, payload and attributes (a dict name -> RObject)."""

    def __init__(self, sexptype, value, attributes=None):
        self.type = sexptype
        self.value = value
        self.attributes = attributes or {}

    def attr(self, name):
        return self.attributes.get(name)


class XdrReader:
    """Reads one R XDR serialization stream (the subset data sets use, plus enough to skip the rest)."""

    def __init__(self, data):
        self.data = data
        self.pos = 0
        self.refs = []

    def int(self):
        (v,) = struct.unpack_from(">i", self.data, self.pos)
        self.pos += 4
        return v

    def bytes(self, n):
        b = self.data[self.pos:self.pos + n]
        if len(b) != n:
            raise ValueError("truncated R serialization at byte %d" % self.pos)
        self.pos += n
        return b

    def length(self):
        n = self.int()
        if n == -1:  # long vector: two more ints
            hi, lo = self.int(), self.int()
            n = (hi << 32) + (lo & 0xFFFFFFFF)
        return n

    def read(self):
        if self.bytes(2) != b"X\n":
            raise ValueError("not an XDR R serialization")
        version = self.int()
        self.int()  # writer R version
        self.int()  # minimal reader R version
        if version == 3:
            self.bytes(self.int())  # native encoding name
        elif version != 2:
            raise ValueError("unsupported serialization version %d" % version)
        return self.item()

    def persistent_strings(self):
        if self.int() != 0:
            raise ValueError("unexpected persistent string vector flag")
        return [self.item() for _ in range(self.int())]

    def pairlist_attributes(self, obj):
        names = {}
        node = obj
        while node is not None and node.type in (2, 239):
            tag, car = node.value[0], node.value[1]
            names[tag.value.decode() if tag is not None else None] = car
            node = node.value[2]
        return names

    def item(self):
        flags = self.int()
        t = flags & 0xFF
        has_attr = bool(flags & (1 << 9))
        has_tag = bool(flags & (1 << 10))
        if t == 254:  # NILVALUE_SXP
            return None
        if t in (253, 252, 251, 250, 242, 241):  # global/unbound/missing/base namespace/empty/base env
            return RObject(t, None)
        if t == 255:  # REFSXP
            index = flags >> 8
            if index == 0:
                index = self.int()
            return self.refs[index - 1]
        if t in (247, 249, 248):  # PERSISTSXP, NAMESPACESXP, PACKAGESXP
            obj = RObject(t, self.persistent_strings())
            self.refs.append(obj)
            return obj
        if t == 1:  # SYMSXP
            obj = RObject(1, None)
            self.refs.append(obj)
            obj.value = self.item().value
            return obj
        if t == 4:  # ENVSXP
            obj = RObject(4, None)
            self.refs.append(obj)
            self.int()  # locked
            obj.value = (self.item(), self.item(), self.item())  # enclosure, frame, hash table
            obj.attributes = self.pairlist_attributes(self.item())
            return obj
        if t in (2, 3, 5, 6, 17, 239, 240):  # pairlist-like nodes
            attributes = self.pairlist_attributes(self.item()) if has_attr else {}
            tag = self.item() if has_tag else None
            car = self.item()
            cdr = self.item()
            return RObject(2 if t == 239 else (6 if t == 240 else t), (tag, car, cdr), attributes)
        if t == 9:  # CHARSXP
            n = self.int()
            return RObject(9, None if n == -1 else self.bytes(n))
        if t in (10, 13):  # LGLSXP, INTSXP
            n = self.length()
            value = list(struct.unpack_from(">%di" % n, self.data, self.pos))
            self.pos += 4 * n
        elif t == 14:  # REALSXP
            n = self.length()
            value = list(struct.unpack_from(">%dd" % n, self.data, self.pos))
            self.pos += 8 * n
        elif t == 15:  # CPLXSXP
            n = self.length()
            value = list(struct.unpack_from(">%dd" % (2 * n), self.data, self.pos))
            self.pos += 16 * n
        elif t in (16, 19, 20):  # STRSXP, VECSXP, EXPRSXP
            value = [self.item() for _ in range(self.length())]
        elif t == 24:  # RAWSXP
            value = self.bytes(self.length())
        elif t == 25:  # S4SXP: attributes only
            value = None
        elif t in (7, 8):  # SPECIALSXP, BUILTINSXP
            return RObject(t, self.bytes(self.int()))
        elif t == 238:  # ALTREP_SXP: class info, state, attributes
            info = self.item()
            state = self.item()
            attributes = self.pairlist_attributes(self.item())
            return self.altrep(info, state, attributes)
        else:
            raise ValueError("unsupported SEXP type %d at byte %d" % (t, self.pos))
        attributes = self.pairlist_attributes(self.item()) if has_attr else {}
        return RObject(t, value, attributes)

    def altrep(self, info, state, attributes):
        cls = info.value[1].value  # pairlist(class symbol, package symbol, type)
        if cls == b"compact_intseq":
            n, start, step = (int(v) for v in state.value)
            return RObject(13, [start + i * step for i in range(n)], attributes)
        if cls == b"compact_realseq":
            n, start, step = state.value
            return RObject(14, [start + i * step for i in range(int(n))], attributes)
        if cls == b"deferred_string":
            source = state.value[1]
            return RObject(16, [RObject(9, str(v).encode()) for v in source.value], attributes)
        if cls.startswith(b"wrap_"):
            inner = state.value[0]
            return RObject(inner.type, inner.value, attributes or inner.attributes)
        raise ValueError("unsupported ALTREP class %r" % cls)


def unserialize(data):
    return XdrReader(data).read()


def open_lazy_load_db(data_dir):
    """Returns (variable names, fetch(name) -> RObject) for data_dir/Rdata.{rdx,rdb}."""
    with gzip.open(os.path.join(data_dir, "Rdata.rdx"), "rb") as f:
        index = unserialize(f.read())
    names = [n.value.decode() for n in index.attr("names").value]
    fields = dict(zip(names, index.value))
    variables = fields["variables"]
    var_names = [n.value.decode() for n in variables.attr("names").value]
    offsets = {name: tuple(v.value) for name, v in zip(var_names, variables.value)}
    with open(os.path.join(data_dir, "Rdata.rdb"), "rb") as f:
        rdb = f.read()

    def fetch(name):
        offset, length = (int(v) for v in offsets[name])
        return unserialize(decompress_entry(rdb[offset:offset + length]))

    return var_names, fetch


def decompress_entry(entry):
    (expected,) = struct.unpack(">I", entry[:4])
    kind = entry[4:5]
    if kind == b"Z":
        # R writes raw LZMA2 (no .xz container) with its default preset; the decoder only needs a
        # dictionary at least as large as the encoder's, so the largest preset's size is safe.
        out = lzma.decompress(entry[5:], format=lzma.FORMAT_RAW,
                              filters=[{"id": lzma.FILTER_LZMA2, "dict_size": 64 << 20}])
    elif kind == b"2":
        out = bz2.decompress(entry[5:])
    elif kind == b"0":
        out = entry[5:]
    elif kind == b"1":
        out = zlib.decompress(entry[5:])
    else:
        out = zlib.decompress(entry[4:])
    if len(out) != expected:
        raise ValueError("entry decompressed to %d bytes, header says %d" % (len(out), expected))
    return out


def column_strings(column):
    """A data-frame column as a list of str: character vectors as is, factors through their levels."""
    if column.type == 16:
        return [None if c.value is None else c.value.decode("utf-8") for c in column.value]
    if column.type == 13 and column.attr("levels") is not None:
        levels = [c.value.decode("utf-8") for c in column.attr("levels").value]
        return [None if i == NA_INT else levels[i - 1] for i in column.value]
    raise ValueError("unsupported column type %d" % column.type)


def single_line(text):
    """TSV-safe text: tabs and line breaks become spaces (one review per line)."""
    return text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ").replace("\t", " ")


def write_food_reviews(modeldata_dir, out_dir):
    _, fetch = open_lazy_load_db(os.path.join(modeldata_dir, "data"))
    os.makedirs(out_dir, exist_ok=True)
    for variable, split in (("training_data", "train"), ("testing_data", "test")):
        frame = fetch(variable)
        names = [n.value.decode() for n in frame.attr("names").value]
        columns = {name: column_strings(col) for name, col in zip(names, frame.value)}
        path = os.path.join(out_dir, "food-reviews-%s.tsv" % split)
        with open(path, "w", encoding="utf-8", newline="") as out:
            # Minimal quoting: a field holding a double quote is wrapped in quotes with inner quotes
            # doubled (RFC 4180 style); everything else is written as is.
            writer = csv.writer(out, delimiter="\t", quotechar='"', quoting=csv.QUOTE_MINIMAL,
                                lineterminator="\n")
            writer.writerow(("label", "product", "text"))
            for label, product, review in zip(columns["score"], columns["product"], columns["review"]):
                writer.writerow((label, product, single_line(review)))
        print("%s: %d rows" % (path, len(columns["score"])))


AUSTEN_NOVELS = ("emma", "mansfieldpark", "northangerabbey", "persuasion", "prideprejudice",
                 "sensesensibility")


def write_austen(janeaustenr_dir, out_dir):
    names, fetch = open_lazy_load_db(os.path.join(janeaustenr_dir, "data"))
    os.makedirs(out_dir, exist_ok=True)
    for novel in AUSTEN_NOVELS:
        if novel not in names:
            raise ValueError("janeaustenr has no variable %s (has %s)" % (novel, names))
        lines = column_strings(fetch(novel))
        path = os.path.join(out_dir, novel + ".txt")
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            for line in lines:
                out.write(line + "\n")
        print("%s: %d lines" % (path, len(lines)))


def main(argv):
    if len(argv) != 4 or argv[1] not in ("food-reviews", "austen"):
        sys.exit(__doc__)
    if argv[1] == "food-reviews":
        write_food_reviews(argv[2], argv[3])
    else:
        write_austen(argv[2], argv[3])


if __name__ == "__main__":
    main(sys.argv)
