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
#   drvsim queues       the kernel's rings, NVMe submission/completion queues
#                       (heads, tails, phases), xHCI event rings
#   drvsim cqe [DEV [VECTOR]]        NVMe: the CQ(s) the interrupt serves and the
#                       CQE being handled (default: the --break-on irq stop's)
#   drvsim event-ring [DEV [VECTOR]] xHCI: the event ring dequeue state and
#                       the event TRB being handled
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


def _target_args(arg, usage):
    """DEVICE [VECTOR [CPU]] -> the C arguments (device, cpu, vector); the
    device of the last --break-on irq stop and its vector when left out."""
    words = arg.split()
    if len(words) > 3:
        raise gdb.GdbError("usage: " + usage)
    device = '"%s"' % words[0].replace('"', "") if words and words[0] not in ("*", "-") else "0"
    try:
        vector = int(words[1], 0) if len(words) > 1 else -1
        cpu = int(words[2], 0) if len(words) > 2 else -1
    except ValueError:
        raise gdb.GdbError("usage: " + usage)
    return device, cpu, vector


def _nvme_command(device, cqe):
    """The SQE a CQE answers (by SQ ID and CID), as a line, or ''."""
    try:
        sqid, cid = int(cqe["sqid"]), int(cqe["cid"])
        ptr = gdb.parse_and_eval("(const nvme::Sqe*)drvsim_debug_nvme_sqe(%s, %d, %d)" % (device, sqid, cid))
    except gdb.error:
        return ""
    if int(ptr) == 0:
        return "    its command: not in SQ%d any more (the slot was reused)\n" % sqid
    sqe = ptr.dereference()
    names = _NVME_ADMIN if sqid == 0 else _NVME_IO
    op = int(sqe["opcode"])
    return "    its command (%s, %s %s):\n      %s\n" % (
        _call_text("drvsim_debug_entry_where()"), "admin" if sqid == 0 else "I/O",
        names.get(op, "opcode 0x%02x" % op), str(sqe))


def _xhci_pointed(trb):
    """The TRB an event points at (the command of a Command Completion Event,
    the transfer TRB of a Transfer Event), as a line, or ''."""
    d = [int(trb["d"][i]) & 0xFFFFFFFF for i in range(4)]
    ttype = (d[3] >> 10) & 0x3F
    if ttype not in (32, 33) or (ttype == 32 and d[3] & 4):  # ED: the parameter is Event Data
        return ""
    addr = (d[0] | (d[1] << 32)) & ~0xF
    try:
        ptr = gdb.parse_and_eval("(const xhci::Trb*)drvsim_debug_guest_read(0x%x, 16)" % addr)
    except gdb.error:
        return ""
    if int(ptr) == 0:
        return ""
    return "    %s at 0x%x:\n      %s\n" % ("the command" if ttype == 33 else "the transfer TRB", addr,
                                          str(ptr.dereference()))


def _entries(fn, type_name, device, cpu, vector, first_note, detail=None):
    """Prints each entry the C function `fn` returns, through the printer of
    `type_name` (and what `detail` adds about it); returns how many."""
    n = 0
    while n < 4096:
        try:
            ptr = gdb.parse_and_eval("(const %s*)%s(%s, %d, %d, %d)" % (type_name, fn, device, cpu, vector, n))
        except gdb.error as e:
            gdb.write("drvsim: %s\n" % e)
            return n
        if int(ptr) == 0:
            return n
        where = _call_text("drvsim_debug_entry_where()")
        entry = ptr.dereference()
        entry.fetch_lazy()
        text = str(entry)
        gdb.write("  %s%s:\n    %s\n%s" % (where, first_note if n == 0 else "", text,
                                           detail(entry) if detail else ""))
        n += 1
    return n


class DrvsimCqe(gdb.Command):
    """drvsim cqe [DEVICE [VECTOR [CPU]]]: the NVMe completion being handled.

At an interrupt stop (--break-on irq:nvme0), the completion queues the
interrupting vector serves (head, tail, phase, their SQs) and each entry the
host has not released yet, from the CQ head: the first is the one the driver
handles for this interrupt. DEVICE and VECTOR (the CPU vector) default to the
stop's; `*` for DEVICE means every NVMe controller."""

    usage = "drvsim cqe [DEVICE|* [VECTOR [CPU]]]"

    def __init__(self):
        super().__init__("drvsim cqe", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        device, cpu, vector = _target_args(arg, self.usage)
        gdb.write(_call_text("drvsim_debug_nvme_cq(%s, %d, %d)" % (device, cpu, vector)))
        if _entries("drvsim_debug_nvme_cqe", "nvme::Cqe", device, cpu, vector, " (the CQ head: being handled)",
                    lambda cqe: _nvme_command(device, cqe)) == 0:
            gdb.write("  no completion pending\n")


class DrvsimEventRing(gdb.Command):
    """drvsim event-ring [DEVICE [VECTOR [CPU]]]: the xHCI events being handled.

At an interrupt stop (--break-on irq:xhci0), the event ring of each
interrupter the interrupting vector serves: ERDP (the host's dequeue pointer)
and EHB, the controller's enqueue pointer, and each event TRB from ERDP on
that the host has not consumed: the first is the one its handler takes
first. DEVICE and VECTOR default to the stop's; `*` means every controller."""

    usage = "drvsim event-ring [DEVICE|* [VECTOR [CPU]]]"

    def __init__(self):
        super().__init__("drvsim event-ring", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        device, cpu, vector = _target_args(arg, self.usage)
        gdb.write(_call_text("drvsim_debug_xhci_event_ring(%s, %d, %d)" % (device, cpu, vector)))
        if _entries("drvsim_debug_xhci_event", "xhci::Trb", device, cpu, vector, " (at ERDP: being handled)",
                    _xhci_pointed) == 0:
            gdb.write("  no event pending\n")


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


# Status codes by Status Code Type (NVMe 1.4 §4.6.1.2, figures 127-129).
_NVME_STATUS = {
    0: {0x00: "Successful Completion", 0x01: "Invalid Command Opcode", 0x02: "Invalid Field in Command",
        0x03: "Command ID Conflict", 0x04: "Data Transfer Error",
        0x05: "Commands Aborted due to Power Loss Notification", 0x06: "Internal Error",
        0x07: "Command Abort Requested", 0x08: "Command Aborted due to SQ Deletion",
        0x09: "Command Aborted due to Failed Fused Command", 0x0A: "Command Aborted due to Missing Fused Command",
        0x0B: "Invalid Namespace or Format", 0x0C: "Command Sequence Error",
        0x0D: "Invalid SGL Segment Descriptor", 0x0E: "Invalid Number of SGL Descriptors",
        0x0F: "Data SGL Length Invalid", 0x10: "Metadata SGL Length Invalid", 0x11: "SGL Descriptor Type Invalid",
        0x12: "Invalid Use of Controller Memory Buffer", 0x13: "PRP Offset Invalid",
        0x14: "Atomic Write Unit Exceeded", 0x15: "Operation Denied", 0x16: "SGL Offset Invalid",
        0x18: "Host Identifier Inconsistent Format", 0x19: "Keep Alive Timer Expired",
        0x1A: "Keep Alive Timeout Invalid", 0x1B: "Command Aborted due to Preempt and Abort",
        0x1C: "Sanitize Failed", 0x1D: "Sanitize In Progress", 0x1E: "SGL Data Block Granularity Invalid",
        0x1F: "Command Not Supported for Queue in CMB", 0x20: "Namespace is Write Protected",
        0x21: "Command Interrupted", 0x22: "Transient Transport Error",
        0x80: "LBA Out of Range", 0x81: "Capacity Exceeded", 0x82: "Namespace Not Ready",
        0x83: "Reservation Conflict", 0x84: "Format In Progress"},
    1: {0x00: "Completion Queue Invalid", 0x01: "Invalid Queue Identifier", 0x02: "Invalid Queue Size",
        0x03: "Abort Command Limit Exceeded", 0x05: "Asynchronous Event Request Limit Exceeded",
        0x06: "Invalid Firmware Slot", 0x07: "Invalid Firmware Image", 0x08: "Invalid Interrupt Vector",
        0x09: "Invalid Log Page", 0x0A: "Invalid Format", 0x0B: "Firmware Activation Requires Conventional Reset",
        0x0C: "Invalid Queue Deletion", 0x0D: "Feature Identifier Not Saveable", 0x0E: "Feature Not Changeable",
        0x0F: "Feature Not Namespace Specific", 0x10: "Firmware Activation Requires NVM Subsystem Reset",
        0x11: "Firmware Activation Requires Controller Level Reset",
        0x12: "Firmware Activation Requires Maximum Time Violation", 0x13: "Firmware Activation Prohibited",
        0x14: "Overlapping Range", 0x15: "Namespace Insufficient Capacity",
        0x16: "Namespace Identifier Unavailable", 0x18: "Namespace Already Attached",
        0x19: "Namespace Is Private", 0x1A: "Namespace Not Attached", 0x1B: "Thin Provisioning Not Supported",
        0x1C: "Controller List Invalid", 0x1D: "Device Self-test In Progress",
        0x1E: "Boot Partition Write Prohibited", 0x1F: "Invalid Controller Identifier",
        0x20: "Invalid Secondary Controller State", 0x21: "Invalid Number of Controller Resources",
        0x22: "Invalid Resource Identifier", 0x80: "Conflicting Attributes",
        0x81: "Invalid Protection Information", 0x82: "Attempted Write to Read Only Range"},
    2: {0x80: "Write Fault", 0x81: "Unrecovered Read Error", 0x82: "End-to-end Guard Check Error",
        0x83: "End-to-end Application Tag Check Error", 0x84: "End-to-end Reference Tag Check Error",
        0x85: "Compare Failure", 0x86: "Access Denied", 0x87: "Deallocated or Unwritten Logical Block"},
}
_NVME_SCT = {0: "Generic Command Status", 1: "Command Specific Status", 2: "Media and Data Integrity Errors",
             3: "Path Related Status", 7: "Vendor Specific"}


def nvme_status_text(status_field):
    """The Status Field (CQE DW3 31:17, without the Phase Tag) as text:
    'SCT 0 (Generic Command Status) SC 0x00 (Successful Completion)'."""
    sct, sc = (status_field >> 8) & 0x7, status_field & 0xFF
    name = _NVME_STATUS.get(sct, {}).get(sc, "reserved" if sct in (0, 1, 2) else "")
    return "SCT %d (%s) SC 0x%02x%s%s%s" % (
        sct, _NVME_SCT.get(sct, "reserved"), sc, " (%s)" % name if name else "",
        " More" if status_field & (1 << 13) else "", " DNR" if status_field & (1 << 14) else "")


class NvmeCqePrinter:
    """nvme::Cqe: a completion queue entry (NVMe 1.4 §4.6): CID, SQ ID, SQ
    Head, Phase Tag, the status as SCT/SC with the spec's name, More, DNR."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        v = self.val
        st = int(v["status"])
        return "nvme::Cqe {cid %d, sqid %d, sqhd %d, phase %d, status %s, dw0 0x%x, dw1 0x%x}" % (
            int(v["cid"]), int(v["sqid"]), int(v["sqhd"]), st & 1, nvme_status_text(st >> 1), int(v["dw0"]),
            int(v["dw1"]))


# ---- xHCI (devices/xhci/trb.hpp; xHCI 1.2 §6.4) ----------------------------


# TRB types (xHCI 1.2 §6.4.6, table 6-91) and completion codes (§6.4.5,
# table 6-90), by the spec's names.
_TRB_TYPES = {1: "Normal", 2: "Setup Stage", 3: "Data Stage", 4: "Status Stage", 5: "Isoch", 6: "Link",
              7: "Event Data", 8: "No Op", 9: "Enable Slot Command", 10: "Disable Slot Command",
              11: "Address Device Command", 12: "Configure Endpoint Command", 13: "Evaluate Context Command",
              14: "Reset Endpoint Command", 15: "Stop Endpoint Command", 16: "Set TR Dequeue Pointer Command",
              17: "Reset Device Command", 18: "Force Event Command", 19: "Negotiate Bandwidth Command",
              20: "Set Latency Tolerance Value Command", 21: "Get Port Bandwidth Command",
              22: "Force Header Command", 23: "No Op Command", 24: "Get Extended Property Command",
              25: "Set Extended Property Command", 32: "Transfer Event", 33: "Command Completion Event",
              34: "Port Status Change Event", 35: "Bandwidth Request Event", 36: "Doorbell Event",
              37: "Host Controller Event", 38: "Device Notification Event", 39: "MFINDEX Wrap Event"}
_TRB_COMPLETION = {0: "Invalid", 1: "Success", 2: "Data Buffer Error", 3: "Babble Detected Error",
                   4: "USB Transaction Error", 5: "TRB Error", 6: "Stall Error", 7: "Resource Error",
                   8: "Bandwidth Error", 9: "No Slots Available Error", 10: "Invalid Stream Type Error",
                   11: "Slot Not Enabled Error", 12: "Endpoint Not Enabled Error", 13: "Short Packet",
                   14: "Ring Underrun", 15: "Ring Overrun", 16: "VF Event Ring Full Error", 17: "Parameter Error",
                   18: "Bandwidth Overrun Error", 19: "Context State Error", 20: "No Ping Response Error",
                   21: "Event Ring Full Error", 22: "Incompatible Device Error", 23: "Missed Service Error",
                   24: "Command Ring Stopped", 25: "Command Aborted", 26: "Stopped", 27: "Stopped - Length Invalid",
                   28: "Stopped - Short Packet", 29: "Max Exit Latency Too Large Error", 31: "Isoch Buffer Overrun",
                   32: "Event Lost Error", 33: "Undefined Error", 34: "Invalid Stream ID Error",
                   35: "Secondary Bandwidth Error", 36: "Split Transaction Error"}
_TRB_FLAGS = ((1 << 1, "ENT"), (1 << 2, "ISP"), (1 << 3, "NS"), (1 << 4, "CH"), (1 << 5, "IOC"), (1 << 6, "IDT"),
              (1 << 9, "BEI"))


def xhci_trb_text(d):
    """A TRB's four dwords as text, its fields named by its type."""
    ttype = (d[3] >> 10) & 0x3F
    name = _TRB_TYPES.get(ttype, "Reserved type %d" % ttype)
    param = d[0] | (d[1] << 32)
    cc = d[2] >> 24
    out = ["%s (type %d)" % (name, ttype), "cycle %d" % (d[3] & 1)]
    slot, ep = d[3] >> 24, (d[3] >> 16) & 0x1F
    if ttype >= 32:  # events: a completion code in status 31:24 (§6.4.2)
        out.append("completion code %d (%s)" % (cc, _TRB_COMPLETION.get(cc, "reserved")))
    if ttype == 32:
        out += ["slot %d" % slot, "endpoint %d" % ep, "TRB pointer 0x%x" % param,
                "transfer length %d" % (d[2] & 0xFFFFFF)]
        if d[3] & 4:
            out.append("ED")
    elif ttype == 33:
        out += ["slot %d" % slot, "command TRB 0x%x" % param, "parameter 0x%x" % (d[2] & 0xFFFFFF)]
    elif ttype == 34:
        out.append("port %d" % (d[0] >> 24))
    elif ttype in (36, 38):
        out.append("slot %d" % slot)
    elif ttype == 6:
        out += ["segment 0x%x" % (param & ~0xF), "TC %d" % ((d[3] >> 1) & 1)]
    elif ttype in (1, 3, 4, 5, 7):
        out += ["buffer 0x%x" % param, "length %d" % (d[2] & 0x1FFFF), "interrupter %d" % (d[2] >> 22)]
        if ttype in (3, 4):
            out.append("dir %s" % ("IN" if d[3] & (1 << 16) else "OUT"))
    elif ttype == 2:
        out += ["setup %02x %02x %04x %04x %04x" % (d[0] & 0xFF, (d[0] >> 8) & 0xFF, d[0] >> 16, d[1] & 0xFFFF,
                                                    d[1] >> 16), "TRT %d" % ((d[3] >> 16) & 3)]
    elif 9 <= ttype <= 25:
        out.append("slot %d" % slot)
        if ttype in (14, 15, 16):
            out.append("endpoint %d" % ep)
        if param:
            out.append("pointer 0x%x" % param)
    if 1 <= ttype <= 8:
        fl = [n for b, n in _TRB_FLAGS if d[3] & b]
        if fl:
            out.append(" ".join(fl))
    return "xhci::Trb {" + ", ".join(out) + "}"


class XhciTrbPrinter:
    """xhci::Trb: type name (dword 3 bits 15:10), cycle bit, and the fields
    of that type: completion code, slot, endpoint, pointers, lengths."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        return xhci_trb_text([int(self.val["d"][i]) & 0xFFFFFFFF for i in range(4)])


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
    DrvsimCqe()
    DrvsimEventRing()
    gdb.printing.register_pretty_printer(gdb.current_objfile(), _build_printers(), replace=True)
    gdb.execute("set breakpoint pending on", to_string=True)
    DrvsimBreakpoint()
    gdb.write("drvsim: gdb extension loaded (drvsim now|break|irqs|queues|cqe|event-ring|pci|config N|trace N|dump CAT; "
              "a breakpoint on drvsim_break stops at --break-on events)\n")


# Loaded twice (auto-load and -x): the second time changes nothing.
if not getattr(gdb, "_drvsim_loaded", False):
    gdb._drvsim_loaded = True
    _load()
