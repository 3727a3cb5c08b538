# drvsim's gdb extension: commands that read the simulated machine, a
# breakpoint on simulated events, and pretty printers for the ring ABI, PCI
# configuration space, NVMe and xHCI structures.
#
# Load it with the run (docs/debugging.md):
#   gdb -x tools/gdb/drvsim.py --args build/sim/cli/drvsim run scenarios/quickstart.yaml --break-on irq
# or let gdb load it by itself: the build copies it beside the executable as
# build/sim/cli/drvsim-gdb.py, which gdb auto-loads once the directory is
# trusted (in ~/.gdbinit: add-auto-load-safe-path /path/to/drvsim/build).
#
# Commands:
#   drvsim now          simulated time and trace events so far
#   drvsim break        the event the run stopped on (the --break-on match)
#   drvsim irqs         interrupt counts per CPU and vector; each PCI
#                       function's MSI and MSI-X state (enabled, masks, pending)
#   drvsim queues       the kernel's rings and every device queue registered
#                       (NVMe submission/completion queues, xHCI rings)
#   drvsim pci          each PCI function: IDs, command, status, BARs
#   drvsim config N     the N-th function's configuration header (pretty printer)
#   drvsim trace [N]    the last N trace events (default 20; --trace-tail keeps more)
#   drvsim dump CAT     every debug dumper registered under CAT
#
# `drvsim run --break-on irq[:DEVICE[:VECTOR]] | event:KIND | time:T` makes
# the simulator call drvsim_break() at that event; this file puts a
# breakpoint there, so gdb stops with the event in `*info`.

import errno as _errno
import struct as _struct

import gdb
import gdb.printing

# --------------------------------------------------------------------------
# Commands: each calls a function of sim/platform/debug_api.cpp in the
# stopped process and prints the text it returns.


def _call_text(expr):
    try:
        return gdb.parse_and_eval(expr).string()
    except gdb.error as e:
        return "drvsim: cannot call %s: %s (is the program running and stopped?)\n" % (expr, e)


class DrvsimPrefix(gdb.Command):
    """drvsim: inspect the simulated machine. See `help drvsim now`, `help drvsim irqs`, ..."""

    def __init__(self):
        super().__init__("drvsim", gdb.COMMAND_USER, prefix=True)


class DrvsimNow(gdb.Command):
    """Simulated time (and the trace events so far)."""

    def __init__(self):
        super().__init__("drvsim now", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        gdb.write("simulated time: " + _call_text("drvsim_debug_now_text()"))


class DrvsimIrqs(gdb.Command):
    """Interrupts delivered per CPU and vector, and each PCI function's MSI/MSI-X state."""

    def __init__(self):
        super().__init__("drvsim irqs", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        gdb.write(_call_text("drvsim_debug_irqs()"))


class DrvsimQueues(gdb.Command):
    """The kernel's rings and the device queues models registered (NVMe, xHCI)."""

    def __init__(self):
        super().__init__("drvsim queues", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        gdb.write(_call_text("drvsim_debug_queues()"))


class DrvsimPci(gdb.Command):
    """Each PCI function: vendor and device IDs, command, status, BARs."""

    def __init__(self):
        super().__init__("drvsim pci", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        gdb.write(_call_text("drvsim_debug_pci()"))


class DrvsimConfig(gdb.Command):
    """drvsim config N: the configuration space header of the N-th PCI function (as `drvsim pci` lists them)."""

    def __init__(self):
        super().__init__("drvsim config", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        n = int(arg) if arg.strip() else 0
        try:
            ptr = gdb.parse_and_eval("(const pci::ConfigSpace*)drvsim_debug_config_space(%d)" % n)
        except gdb.error as e:
            gdb.write("drvsim: %s\n" % e)
            return
        if int(ptr) == 0:
            gdb.write("drvsim: no PCI function %d\n" % n)
            return
        gdb.write(str(ptr.dereference()) + "\n")


class DrvsimTrace(gdb.Command):
    """drvsim trace [N]: the last N trace events (default 20)."""

    def __init__(self):
        super().__init__("drvsim trace", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        n = int(arg) if arg.strip() else 20
        gdb.write(_call_text("drvsim_debug_trace(%d)" % n))


class DrvsimDump(gdb.Command):
    """drvsim dump CATEGORY: every debug dumper registered under CATEGORY."""

    def __init__(self):
        super().__init__("drvsim dump", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        cat = arg.strip().replace('"', "")
        gdb.write(_call_text('drvsim_debug_dump("%s")' % cat))


def _break_text(info):
    """One line about a drvsim_break_info value."""

    def s(field):
        p = info[field]
        return p.string() if int(p) != 0 else ""

    ps = int(info["time_ps"])
    text = "break on match %d of %s at %d.%06dus: %s" % (int(info["hit"]), s("spec"), ps // 1000000, ps % 1000000, s("line"))
    if int(info["vector"]) >= 0:
        text += "\n  interrupt: cpu %d, vector %d (0x%x), from %s" % (
            int(info["cpu"]), int(info["vector"]), int(info["vector"]), s("source"))
    return text


class DrvsimBreak(gdb.Command):
    """The event the run stopped on: drvsim_last_break (set at each --break-on stop)."""

    def __init__(self):
        super().__init__("drvsim break", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        try:
            info = gdb.parse_and_eval("drvsim_last_break")
        except gdb.error as e:
            gdb.write("drvsim: %s\n" % e)
            return
        if int(info["hit"]) == 0:
            gdb.write("drvsim: no break yet (run with --break-on ...)\n")
            return
        gdb.write(_break_text(info) + "\n")


class DrvsimBreakpoint(gdb.Breakpoint):
    """Stops in drvsim_break() and says which event it was."""

    def __init__(self):
        super().__init__("drvsim_break", internal=False)

    def stop(self):
        try:
            info = gdb.parse_and_eval("*info")
            gdb.write("drvsim: " + _break_text(info) + "\n")
        except gdb.error:
            pass
        return True


# --------------------------------------------------------------------------
# Pretty printers.

_OPCODES = {0: "no_op", 1: "open", 2: "close", 3: "read", 4: "write", 5: "pread", 6: "pwrite", 7: "fsync",
            8: "fstat", 9: "dup", 10: "mmap", 11: "register_events"}


def _u(v):
    return int(v) & 0xFFFFFFFFFFFFFFFF


class SqEntry64Printer:
    """hal::SqEntry64: one request of a ring (drivers/hal/ring_abi.hpp)."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        v = self.val
        op = int(v["opcode"])
        name = _OPCODES.get(op, "producer op %d" % op if op >= 128 else "unknown op %d" % op)
        flags = int(v["flags"])
        fl = [n for b, n in ((1, "subscribe"), (2, "drain"), (4, "chain")) if flags & b]
        return ("SqEntry64 {%s (%d)%s, fd %d, len %d, user_data 0x%x, addr 0x%x, offset %d, priority %d, "
                "syscall_flags 0x%x, additional [0x%x, 0x%x]}" % (
                    name, op, (" " + "|".join(fl)) if fl else "", _u(v["fd"]), _u(v["len"]), _u(v["user_data"]),
                    _u(v["addr"]), _u(v["offset"]), int(v["priority"]), int(v["syscall_flags"]),
                    _u(v["additional"][0]), _u(v["additional"][1])))


class CqEntry64Printer:
    """hal::CqEntry64: one completion; a negative status is an errno."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        v = self.val
        status = _u(v["status"])
        signed = status - (1 << 64) if status >= (1 << 63) else status
        if signed < 0 and -signed in _errno.errorcode:
            st = "-%s (%d)" % (_errno.errorcode[-signed], signed)
        else:
            st = str(signed)
        flags = _u(v["flags"])
        fl = [n for b, n in ((1, "event"), (2, "last_update")) if flags & b]
        return "CqEntry64 {user_data 0x%x, status %s, flags %s, extra 0x%x}" % (
            _u(v["user_data"]), st, "|".join(fl) if fl else "0", _u(v["extra"]))


_BAR_KINDS = {0: "none", 1: "mem32", 2: "mem64"}


class ConfigSpacePrinter:
    """pci::ConfigSpace: the header of a function's configuration space."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        v = self.val
        data = v["data_"]
        try:
            raw = bytes(gdb.selected_inferior().read_memory(data.address, 64))
        except gdb.error as e:
            return "ConfigSpace {unreadable: %s}" % e
        vendor, device, command, status = _struct.unpack_from("<HHHH", raw, 0)
        rev, prog_if, subclass, cls = _struct.unpack_from("<BBBB", raw, 8)
        header = raw[0x0E]
        cmd = [n for b, n in ((1, "IO"), (2, "MSE"), (4, "BME"), (0x400, "INTx-disable")) if command & b]
        out = ["ConfigSpace {%04x:%04x class %02x.%02x.%02x rev %d, header type 0x%02x%s" % (
            vendor, device, cls, subclass, prog_if, rev, header & 0x7F, " multi-function" if header & 0x80 else ""),
            "  command 0x%04x (%s), status 0x%04x" % (command, " ".join(cmd) or "-", status)]
        kinds = v["bar_kind_"]["_M_elems"]
        sizes = v["bar_size_"]["_M_elems"]
        i = 0
        while i < 6:
            kind = int(kinds[i])
            if kind == 0:
                i += 1
                continue
            lo = _struct.unpack_from("<I", raw, 0x10 + 4 * i)[0]
            addr = lo & ~0xF
            if kind == 2 and i < 5:
                addr |= _struct.unpack_from("<I", raw, 0x10 + 4 * (i + 1))[0] << 32
            out.append("  BAR%d %s%s size %d at 0x%x" % (
                i, _BAR_KINDS.get(kind, "?"), " prefetchable" if lo & 0x8 else "", _u(sizes[i]), addr))
            i += 2 if kind == 2 else 1
        return "\n".join(out) + "}"


class BarInfoPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        v = self.val
        kind = _BAR_KINDS.get(int(v["kind"]), "?")
        return "BarInfo {%s%s, size %d at 0x%x}" % (
            kind, " prefetchable" if bool(v["prefetchable"]) else "", _u(v["size"]), _u(v["address"]))


class BreakInfoPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        return "drvsim_break_info {" + _break_text(self.val) + "}"


# ---- NVMe (devices/nvme/nvme_spec.hpp; NVMe 1.4 §4.2, §4.6) ----------------

_NVME_ADMIN = {0x00: "Delete I/O SQ", 0x01: "Create I/O SQ", 0x02: "Get Log Page", 0x04: "Delete I/O CQ",
               0x05: "Create I/O CQ", 0x06: "Identify", 0x08: "Abort", 0x09: "Set Features",
               0x0A: "Get Features", 0x0C: "Async Event Request"}
_NVME_IO = {0x00: "Flush", 0x01: "Write", 0x02: "Read", 0x08: "Write Zeroes", 0x09: "Dataset Management"}


class NvmeSqePrinter:
    """nvme::Sqe: a submission queue entry. The opcode is shown as admin/I-O
    (the queue decides which: 0x01 is Create I/O SQ on the admin queue and
    Write on an I/O queue)."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        v = self.val
        op = int(v["opcode"])
        names = "/".join(n for n in (_NVME_ADMIN.get(op), _NVME_IO.get(op)) if n) or "vendor 0x%02x" % op
        flags = int(v["flags"])
        cdw = [int(v["cdw%d" % i]) for i in range(10, 16)]
        return ("nvme::Sqe {opcode 0x%02x (%s), cid %d, nsid %d, fuse %d, psdt %d, prp1 0x%x, prp2 0x%x, "
                "mptr 0x%x, cdw10-15 [%s]}" % (
                    op, names, int(v["cid"]), int(v["nsid"]), flags & 3, (flags >> 6) & 3, _u(v["prp1"]),
                    _u(v["prp2"]), _u(v["mptr"]), ", ".join("0x%x" % c for c in cdw)))


class NvmeCqePrinter:
    """nvme::Cqe: a completion queue entry (status: phase, SCT, SC, More, DNR)."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        v = self.val
        st = int(v["status"])
        sf = st >> 1
        return ("nvme::Cqe {cid %d, sqid %d, sqhd %d, phase %d, status SCT %d SC 0x%02x%s%s, dw0 0x%x, dw1 0x%x}" % (
            int(v["cid"]), int(v["sqid"]), int(v["sqhd"]), st & 1, (sf >> 8) & 0x7, sf & 0xFF,
            " More" if sf & (1 << 13) else "", " DNR" if sf & (1 << 14) else "", int(v["dw0"]), int(v["dw1"])))


# ---- xHCI (devices/xhci/trb.hpp; xHCI 1.2 §6.4) ----------------------------


class XhciTrbPrinter:
    """xhci::Trb: type (dword 3 bits 15:10), cycle bit, parameter, status."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        d = [int(self.val["d"][i]) & 0xFFFFFFFF for i in range(4)]
        ttype = (d[3] >> 10) & 0x3F
        try:
            tname = str(gdb.parse_and_eval("(xhci::TrbType)%d" % ttype)).split("::")[-1]
        except gdb.error:
            tname = "type %d" % ttype
        text = "xhci::Trb {%s, cycle %d, parameter 0x%x, status 0x%08x, control 0x%08x" % (
            tname, d[3] & 1, d[0] | (d[1] << 32), d[2], d[3])
        if ttype >= 32:  # events carry a completion code in status 31:24
            text += ", completion code %d" % (d[2] >> 24)
        return text + "}"


# Device models written later add their printers here, keyed by their
# type's name, the same way.


def _build_printers():
    pp = gdb.printing.RegexpCollectionPrettyPrinter("drvsim")
    pp.add_printer("SqEntry64", "^hal::SqEntry64$", SqEntry64Printer)
    pp.add_printer("CqEntry64", "^hal::CqEntry64$", CqEntry64Printer)
    pp.add_printer("ConfigSpace", "^pci::ConfigSpace$", ConfigSpacePrinter)
    pp.add_printer("BarInfo", "^pci::BarInfo$", BarInfoPrinter)
    pp.add_printer("drvsim_break_info", "^drvsim_break_info$", BreakInfoPrinter)
    pp.add_printer("nvme::Sqe", "^nvme::Sqe$", NvmeSqePrinter)
    pp.add_printer("nvme::Cqe", "^nvme::Cqe$", NvmeCqePrinter)
    pp.add_printer("xhci::Trb", "^xhci::Trb$", XhciTrbPrinter)
    return pp


def _load():
    DrvsimPrefix()
    DrvsimNow()
    DrvsimIrqs()
    DrvsimQueues()
    DrvsimPci()
    DrvsimConfig()
    DrvsimTrace()
    DrvsimDump()
    DrvsimBreak()
    gdb.printing.register_pretty_printer(gdb.current_objfile(), _build_printers(), replace=True)
    gdb.execute("set breakpoint pending on", to_string=True)
    DrvsimBreakpoint()
    gdb.write("drvsim: gdb extension loaded (drvsim now|break|irqs|queues|pci|config N|trace N|dump CAT; "
              "a breakpoint on drvsim_break stops at --break-on events)\n")


# Loaded twice (auto-load and -x): the second time changes nothing.
if not getattr(gdb, "_drvsim_loaded", False):
    gdb._drvsim_loaded = True
    _load()
