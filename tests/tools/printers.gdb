# Run by gdb_batch.cmake (tools.gdb_printers) after tools/gdb/drvsim.py, on
# the drvsim executable without running it: builds values of each type with
# a pretty printer from known field values (laid out by the debug info) and
# prints them; printers.expect holds the exact text.
python
def _make(tname, **fields):
    t = gdb.lookup_type(tname)
    buf = bytearray(t.sizeof)
    names = set()
    for f in t.fields():
        if f.name not in fields:
            continue
        names.add(f.name)
        vals = fields[f.name]
        ft = f.type.strip_typedefs()
        if ft.code == gdb.TYPE_CODE_ARRAY:
            esize = ft.target().sizeof
        else:
            esize, vals = ft.sizeof, [vals]
        for i, v in enumerate(vals):
            off = f.bitpos // 8 + i * esize
            buf[off:off + esize] = (v & ((1 << (8 * esize)) - 1)).to_bytes(esize, "little")
    missing = set(fields) - names
    if missing:
        raise gdb.GdbError("%s has no fields %s" % (tname, sorted(missing)))
    return gdb.Value(bytes(buf), t)

def _show(label, tname, **fields):
    gdb.write("%s: %s\n" % (label, str(_make(tname, **fields))))

_show("sqe64", "hal::SqEntry64", opcode=5, fd=3, len=4096, user_data=42, addr=0x1000, offset=512)
_show("sqe64-producer", "hal::SqEntry64", opcode=130, flags=1, fd=7, additional=[1, 2])
_show("cqe64-errno", "hal::CqEntry64", user_data=42, status=-2, flags=1)
_show("cqe64-ok", "hal::CqEntry64", user_data=7, status=4096)
_show("nvme-sqe", "nvme::Sqe", opcode=2, cid=7, nsid=1, prp1=0x200000, cdw10=0x10, cdw12=7)
_show("nvme-cqe-lba", "nvme::Cqe", cid=5, sqid=1, sqhd=9, status=(0x80 << 1) | 1)
_show("nvme-cqe-dnr", "nvme::Cqe", cid=3, sqid=0, sqhd=4, status=((1 << 14) | (1 << 8) | 0x01) << 1)
_show("nvme-cqe-media", "nvme::Cqe", cid=1, sqid=2, sqhd=1, status=((2 << 8) | 0x81) << 1 | 1, dw0=0xdead)
_show("trb-transfer", "xhci::Trb", d=[0x123450, 0, (13 << 24) | 512, (1 << 24) | (3 << 16) | (32 << 10) | 1])
_show("trb-command", "xhci::Trb", d=[0x5000, 0, 1 << 24, (2 << 24) | (33 << 10)])
_show("trb-port", "xhci::Trb", d=[5 << 24, 0, 1 << 24, (34 << 10) | 1])
_show("trb-normal", "xhci::Trb", d=[0x8000, 0, 31, (1 << 10) | (1 << 5) | (1 << 4) | 1])
_show("trb-address", "xhci::Trb", d=[0x9000, 0, 0, (4 << 24) | (11 << 10) | 1])
_show("bar", "pci::BarInfo", kind=2, prefetchable=1, size=4096, address=0xfe000000)
end
